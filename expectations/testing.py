"""Landing batches built by hand, for the gate's tests and benchmarks.

The gate reads what ingest writes; these helpers write the same layout (lineage columns,
every canonical column as text, ``_extra``) from plain rows, so a test states its rows and
the outcome it expects without running ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.contract import EXTRA_COLUMN, FEEDS, LINEAGE

from .id_numbers import check_char, check_char_sql, sql_literal

_LINEAGE_TYPES = {
    "string": pa.string(),
    "date32": pa.date32(),
    "int32": pa.int32(),
    "timestamp[us, tz=UTC]": pa.timestamp("us", tz="UTC"),
}


def landing_schema(feed: str) -> pa.Schema:
    fields = [pa.field(n, _LINEAGE_TYPES[t]) for n, t in LINEAGE.items()]
    fields += [pa.field(n, pa.string()) for n in FEEDS[feed].names]
    return pa.schema([*fields, pa.field(EXTRA_COLUMN, pa.string())])


def file_name(feed: str, sender: str, day: dt.date, seq: int = 1) -> str:
    suffix = f"_{seq}" if seq > 1 else ""
    return f"{feed}_{sender}_{day:%Y%m%d}{suffix}.csv"


def batch_id(feed: str, sender: str, day: dt.date, seq: int = 1, salt: str = "") -> str:
    digest = hashlib.sha256(f"{feed}{sender}{day}{seq}{salt}".encode()).hexdigest()
    return f"{feed}_{sender}_{day:%Y%m%d}_{seq}_{digest[:12]}"


def landing_table(
    feed: str,
    columns: Mapping[str, Sequence[str | None] | pa.Array],
    *,
    sender: str = "12320300MB1234567H",
    day: dt.date = dt.date(2026, 3, 15),
    seq: int = 1,
    batch: str | None = None,
    absent: Sequence[str] = (),
) -> pa.Table:
    """A landing table: ``columns`` maps canonical names to delivered text (a column not
    given is filled with ''; one named in ``absent`` is NULL, as for a missing header)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns differ in length: {lengths}")
    n = lengths.pop()
    name = file_name(feed, sender, day, seq)
    arrays: dict[str, pa.Array] = {
        "_batch_id": pa.array([batch or batch_id(feed, sender, day, seq)] * n, pa.string()),
        "_feed": pa.array([feed] * n, pa.string()),
        "_sender": pa.array([sender] * n, pa.string()),
        "_business_date": pa.array([day] * n, pa.date32()),
        "_seq": pa.array([seq] * n, pa.int32()),
        "_file_sha256": pa.array(["0" * 64] * n, pa.string()),
        "_file_path": pa.array([f"{feed}/{name}"] * n, pa.string()),
        "_row_number": pa.array(np.arange(1, n + 1, dtype=np.int32)),
        "_loaded_at": pa.array(
            [dt.datetime(2026, 3, 16, tzinfo=dt.UTC)] * n, pa.timestamp("us", tz="UTC")
        ),
    }
    for column in FEEDS[feed].names:
        if column in absent:
            arrays[column] = pa.nulls(n, pa.string())
        elif column in columns:
            arrays[column] = pa.array(columns[column], pa.string())
        else:
            arrays[column] = pa.array([""] * n, pa.string())
    arrays[EXTRA_COLUMN] = pa.nulls(n, pa.string())
    return pa.table(arrays, schema=landing_schema(feed))


def write_landing(path: Path, table: pa.Table) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def make_id(area: str, birth: dt.date, order: int) -> str:
    """A valid 18-character ID number; ``order`` odd for 男, even for 女."""
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + check_char(body)


def synthetic_population(path: Path, rows: int, seed: float = 0.5) -> Path:
    """A population snapshot landing batch of ``rows`` distinct people (the benchmark's
    9-million-row case), written by DuckDB without Python rows: IDs in every delivered form
    the contract allows (full-width, blanks, 15-digit, lower-case x) and ~0.2% broken check
    characters, sex sometimes as 男/女, dates in three formats."""
    feed = "population"
    sender = "12320300466012345X"
    day = dt.date(2026, 3, 1)
    name = file_name(feed, sender, day)
    fold = "translate(id, '0123456789X', '０１２３４５６７８９Ｘ')"
    sql = f"""
        COPY (
        WITH base AS (
            SELECT i, random() AS u, random() AS v,
                   DATE '1930-01-01' + CAST((i * 7919) % 34000 AS INTEGER) AS born,
                   CAST((i // 34000) % 1000 AS INTEGER) AS ord
            FROM range({int(rows)}) t(i)
        ), bodies AS (
            SELECT *, '320302' || strftime(born, '%Y%m%d') || lpad(CAST(ord AS VARCHAR), 3, '0')
                   AS body FROM base
        ), ids AS (SELECT *, body || {check_char_sql("body")} AS id FROM bodies)
        SELECT '{batch_id(feed, sender, day)}' AS _batch_id, '{feed}' AS _feed,
            '{sender}' AS _sender, DATE '{day}' AS _business_date, CAST(1 AS INTEGER) AS _seq,
            '{"0" * 64}' AS _file_sha256, '{feed}/{name}' AS _file_path,
            CAST(i + 1 AS INTEGER) AS _row_number,
            TIMESTAMPTZ '2026-03-02 00:00:00+00' AS _loaded_at,
            CASE WHEN u < 0.002 THEN body || CASE WHEN right(id, 1) = '0' THEN '1' ELSE '0' END
                 WHEN u < 0.005 THEN {fold}
                 WHEN u < 0.010 THEN chr(12288) || id || ' '
                 WHEN u < 0.020 AND year(born) < 2000 THEN body[1:6] || body[9:17]
                 WHEN right(id, 1) = 'X' AND u < 0.3 THEN lower(id)
                 ELSE id END AS id_number,
            '张三' AS name,
            CASE WHEN v < 0.02 THEN CASE WHEN ord % 2 = 1 THEN '男' ELSE '女' END
                 WHEN ord % 2 = 1 THEN '1' ELSE '2' END AS sex_code,
            CASE WHEN v < 0.3 THEN strftime(born, '%Y-%m-%d')
                 WHEN v < 0.6 THEN strftime(born, '%Y%m%d')
                 ELSE strftime(born, '%Y/%m/%d') END AS birth_date,
            '320302' AS hukou_district_code, '320302001' AS street_code,
            '' AS street_since_date, '1' AS resident_flag, '' AS death_date,
            strftime(TIMESTAMP '2026-02-01 00:00:00' + to_seconds(CAST(v * 2400000 AS BIGINT)),
                     '%Y-%m-%d %H:%M:%S') AS updated_at,
            CAST(NULL AS VARCHAR) AS _extra
        FROM ids
        ) TO {sql_literal(str(path))} (FORMAT parquet)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SELECT setseed({float(seed)})")
        con.execute(sql)
    finally:
        con.close()
    return path
