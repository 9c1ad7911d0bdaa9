"""A parsed file becomes a landing batch: its rows as delivered, plus lineage on every row."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .contract import EXTRA_COLUMN, Feed
from .parse import ParsedFile
from .zones import batch_schema

JSON_IN_DUCKDB_FROM = 20_000  # rows; below this Python's json is faster than starting a query


@dataclass(frozen=True)
class Lineage:
    batch_id: str
    feed: str
    sender: str
    business_date: dt.date | None
    seq: int
    sha256: str
    path: str  # relative to the inbox root
    loaded_at: dt.datetime


def batch_id_for(feed: str, sender: str, day: dt.date | None, seq: int, sha256: str) -> str:
    """Readable and unique: the same file always gets the same id, so reruns overwrite, not add."""
    date = day.strftime("%Y%m%d") if day else "nodate"
    return f"{feed}_{sender or 'unnamed'}_{date}_{seq}_{sha256[:12]}"


def landing_table(feed: Feed, parsed: ParsedFile, lineage: Lineage) -> pa.Table:
    n = parsed.data_rows
    schema = batch_schema(feed)

    def repeat(value: object, type_: pa.DataType) -> pa.Array:
        if pa.types.is_dictionary(type_):  # one value, n zero indices: no n copies of the text
            indices = pa.array(np.zeros(n, dtype=np.int32))
            return pa.DictionaryArray.from_arrays(indices, pa.array([value], type_.value_type))
        return pa.repeat(pa.scalar(value, type_), n) if n else pa.array([], type_)

    text = schema.field("_batch_id").type

    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "_batch_id": repeat(lineage.batch_id, text),
        "_feed": repeat(lineage.feed, text),
        "_sender": repeat(lineage.sender, text),
        "_business_date": repeat(lineage.business_date, pa.date32()),
        "_seq": repeat(lineage.seq, pa.int32()),
        "_file_sha256": repeat(lineage.sha256, text),
        "_file_path": repeat(lineage.path, text),
        "_row_number": parsed.row_numbers,
        "_loaded_at": repeat(lineage.loaded_at, schema.field("_loaded_at").type),
    }
    for name in feed.names:
        columns[name] = parsed.columns.get(name, pa.nulls(n, pa.string()))
    columns[EXTRA_COLUMN] = _extra_json(parsed.extra, n)
    return pa.table(columns, schema=schema)


def _extra_json(extra: dict[str, pa.Array | pa.ChunkedArray], n: int) -> pa.Array:
    """Columns the contract does not know, kept per row as one JSON object {header: value}."""
    if not extra:
        return pa.nulls(n, pa.string())
    if n >= JSON_IN_DUCKDB_FROM:
        import duckdb

        table = pa.table({f"c{i}": a for i, a in enumerate(extra.values())})
        fields = ", ".join('"' + h.replace('"', '""') + f'" := c{i}' for i, h in enumerate(extra))
        con = duckdb.connect()
        try:
            con.register("extra", table)
            query = f"select to_json(struct_pack({fields}))::varchar from extra"
            result = con.sql(query).arrow().read_all()
        finally:
            con.close()
        return result.column(0).combine_chunks().cast(pa.string())
    headers = list(extra)
    values = [a.to_pylist() for a in extra.values()]
    return pa.array(
        [
            json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False)
            for row in zip(*values, strict=True)
        ],
        pa.string(),
    )
