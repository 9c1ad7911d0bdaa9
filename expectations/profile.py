"""Batch profiles: per landing batch, how many rows break each row rule and repeat a key.

The gate decides on these profiles, not on rows, so one query must profile many batches:
a year brings ~7,000 small files of one feed and 9-million-row population snapshots.
DuckDB reads the landing Parquet directly (no rows in pandas): one scan computes every
row's rule flags, and two aggregates over them give the counts per file and the repeated
keys per file.  Memory is bounded by DuckDB's limit; the caller bounds the rows of one
call (the gate profiles at most a few million rows at a time, or one large batch alone).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.contract import FEEDS, Feed, row_rules

from . import vectorized
from .id_numbers import sql_literal
from .row_rules import PRECOMPUTABLE, derived, flags_sql, quote, rule_columns
from .values import blank_sql

FIRST_ROWS = 3  # bad row numbers kept per rule for the steward's message
MEMORY_LIMIT = "2GB"
READING_THREADS = 2
# Many small files: computing and aggregating straight from the scan costs ~1 ms a file in
# per-chunk overhead (7,000 files: 10 s), so their rows are copied to a temp table first
# and processed in full vectors (7,000 files: 4 s in all).  Few large files stream: a copy
# of a 9-million-row batch would cost 10 s and 0.7 GB.
MANY_FILES = 64
_LINEAGE_USED = ("_batch_id", "_row_number", "_sender")


def first_rows_column(code: str) -> str:
    return f"first_rows:{code}"


def resolve_feed(feed: str | Feed) -> Feed:
    return feed if isinstance(feed, Feed) else FEEDS[feed]


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded in memory; large aggregates spill to a temp folder."""
    spill = Path(tempfile.gettempdir()) / "expectations-duckdb-spill"
    con = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "preserve_insertion_order": False,
            "temp_directory": str(spill),
        }
    )
    con.execute("SET enable_progress_bar = false")
    return con


def _scan(files: Sequence[str]) -> str:
    listed = ", ".join(sql_literal(f) for f in files)
    return f"read_parquet([{listed}], union_by_name = true)"


def _source(feed: Feed, scan: str, present: set[str] | None = None) -> str:
    """The landing batches as one relation: ``file_index`` (which input file), the lineage
    the profile needs and every canonical column as text.  With ``present`` given, a
    canonical column outside it reads as NULL (the gate rejects such a batch for its
    missing header anyway)."""
    cols = ["file_index", *_LINEAGE_USED] + [
        f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}"
        if present is None or c in present
        else f"CAST(NULL AS VARCHAR) AS {quote(c)}"
        for c in feed.names
    ]
    return f"(SELECT {', '.join(cols)} FROM {scan})"


def _columns(con: duckdb.DuckDBPyConnection, scan: str) -> set[str]:
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    missing_lineage = [c for c in _LINEAGE_USED if c not in present]
    if missing_lineage:
        raise ValueError(f"landing batches lack lineage columns {missing_lineage}")
    return present


def _key_parts(feed: Feed) -> list[tuple[str, bool]]:
    """(SQL value, shown in messages) per part of the record key and version (edge rules 10,
    12).  ID numbers key by their normalized form, 更新时间 by its reading; neither is shown."""
    parts = []
    for name in feed.key:
        if name.startswith("_"):
            parts.append((quote(name), False))
        elif feed.column(name).kind == "id":
            parts.append((quote(derived("id", name)), False))
        else:
            parts.append((quote(name), True))
    version = feed.version_column
    if version is not None:
        parts.append((quote(derived("ts", version)), False))
    return parts


def _profile_sql(
    feed: Feed, source: str, precomputed: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """The rule flags of every row (one scan of the landing files) and the aggregates over
    them (``flags``): per file, and per (file, key, version) for the duplicate check.

    A row whose key part is blank or unreadable is already flagged and takes no part in the
    duplicate check.  Two cheap passes keep the aggregates small: the rule counts only see
    rows breaking some rule, and the key groups only rows whose key hash repeats (a hash
    collision only adds candidates; the groups compare the keys themselves).
    """
    codes = [r.code for r in row_rules(feed)]
    parts = _key_parts(feed)
    usable = " AND ".join(
        f"{sql} IS NOT NULL" + (f" AND NOT {blank_sql(sql)}" if shown else "")
        for sql, shown in parts
    )
    shown = [sql for sql, show in parts if show]
    example = " || ' ' || ".join(shown) if shown else "CAST(NULL AS VARCHAR)"
    keys = [f"__k{i}" for i in range(len(parts))]
    key_columns = [c for c in (*feed.key, feed.version_column) if c and not c.startswith("_")]
    flags = flags_sql(
        feed,
        source,
        carry=("file_index", "_batch_id", "_row_number", "_sender"),
        also=key_columns,
        precomputed=precomputed,
    )
    kept = [
        "file_index",
        "_batch_id",
        "_row_number",
        *(quote(c) for c in codes),
        "__error",
        "__warning",
        *(f"{sql} AS {k}" for (sql, _), k in zip(parts, keys, strict=True)),
        f"({usable}) AS __key_usable",
        f"CASE WHEN {usable} THEN {example} END AS __key_example",
        f"hash(file_index, {', '.join(keys)}) AS __key_hash",
    ]
    counts = [
        "count(*) FILTER (WHERE __error) AS rows_flagged",
        "count(*) FILTER (WHERE __warning AND NOT __error) AS rows_warned",
        f"min(_row_number, {FIRST_ROWS}) FILTER (WHERE __error) AS first_flagged_rows",
    ]
    for code in codes:
        counts.append(f"count(*) FILTER (WHERE {quote(code)}) AS {quote(code)}")
        counts.append(
            f"min(_row_number, {FIRST_ROWS}) FILTER (WHERE {quote(code)})"
            f" AS {quote(first_rows_column(code))}"
        )
    return (
        f"SELECT {', '.join(kept)} FROM ({flags})",
        f"""
        totals AS (
            SELECT file_index, min(_batch_id) AS batch_id, max(_batch_id) AS last_batch_id,
                   count(*) AS data_rows
            FROM flags GROUP BY file_index
        ),
        broken AS (
            SELECT file_index, {", ".join(counts)}
            FROM flags WHERE __error OR __warning GROUP BY file_index
        ),
        counts AS (SELECT * FROM totals LEFT JOIN broken USING (file_index)),
        repeated AS (
            SELECT __key_hash FROM flags WHERE __key_usable
            GROUP BY __key_hash HAVING count(*) > 1
        ),
        groups AS (
            SELECT file_index, count(*) AS n, min(_row_number) AS first_row,
                   min(_row_number, {FIRST_ROWS}) AS first_rows,
                   any_value(__key_example) AS example
            FROM flags
            WHERE __key_usable AND __key_hash IN (SELECT __key_hash FROM repeated)
            GROUP BY file_index, {", ".join(keys)} HAVING count(*) > 1
        ),
        dups AS (
            SELECT file_index, sum(n) AS duplicate_key_rows,
                   list_sort(flatten(list(first_rows)))[1:{FIRST_ROWS}] AS first_duplicate_rows,
                   arg_min(example, first_row) AS duplicate_key_example
            FROM groups GROUP BY file_index
        )
        SELECT * FROM counts LEFT JOIN dups USING (file_index)
    """,
    )


def _with_readings(feed: Feed, table: pa.Table) -> tuple[pa.Table, frozenset[str]]:
    """``table`` plus the ID, date and 更新时间 readings of the columns the rules and the key
    read, computed in numpy (vectorized.py)."""
    wanted = rule_columns(feed) | {c for c in (*feed.key, feed.version_column) if c}
    readings = {"id": vectorized.normalized_ids, "date": vectorized.dates}
    readings["datetime"] = vectorized.datetimes
    columns = [c for c in feed.columns if c.name in wanted and c.kind in PRECOMPUTABLE]
    # numpy releases the GIL in its loops: the columns are read in two threads
    with ThreadPoolExecutor(READING_THREADS) as pool:
        read = list(pool.map(lambda c: readings[c.kind](table.column(c.name)), columns))
    added = []
    for column, values in zip(columns, read, strict=True):
        name = derived(PRECOMPUTABLE[column.kind], column.name)
        table = table.append_column(name, values)
        added.append(name)
    return table, frozenset(added)


def _run(con: duckdb.DuckDBPyConnection, feed: Feed, source: str, many: bool) -> pd.DataFrame:
    if not many:  # few (large) files: the costly readings in numpy, the rest in DuckDB
        return _run_arrow(con, feed, con.sql(f"SELECT * FROM {source}").to_arrow_table())
    con.execute(f"CREATE OR REPLACE TEMP TABLE __landing AS SELECT * FROM {source}")
    try:
        flags, aggregate = _profile_sql(feed, "__landing")
        return con.execute(f"WITH flags AS ({flags}), {aggregate}").df()
    finally:
        con.execute("DROP TABLE __landing")


def _run_arrow(con: duckdb.DuckDBPyConnection, feed: Feed, rows: pa.Table) -> pd.DataFrame:
    table, precomputed = _with_readings(feed, rows)
    con.register("__landing_rows", table)
    try:
        flags, aggregate = _profile_sql(feed, "__landing_rows", precomputed)
        return con.execute(f"WITH flags AS ({flags}), {aggregate}").df()
    finally:
        con.unregister("__landing_rows")


def profile_table(feed: str | Feed, table: pa.Table, landing_path: Path | str) -> pd.DataFrame:
    """The profile of one landing batch still in memory, as ``profile_batches`` would give
    for its Parquet file at ``landing_path`` (one row).

    Ingest calls this for a large file right after parsing it, while the Parquet is being
    written, so a 9-million-row snapshot is not read back from disk to be profiled."""
    feed = resolve_feed(feed)
    n = table.num_rows
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "file_index": pa.repeat(pa.scalar(0, pa.int64()), n) if n else pa.array([], pa.int64())
    }
    for name in (*_LINEAGE_USED, *feed.names):
        if name not in table.column_names:
            raise ValueError(f"landing batch lacks column {name!r}")
        column = table.column(name)
        if pa.types.is_dictionary(column.type):  # lineage text: one value per batch
            column = column.cast(column.type.value_type)
        columns[name] = column
    frame = pd.DataFrame({"landing_path": [str(Path(landing_path))]})
    if n:
        con = connect()
        try:
            profile = _run_arrow(con, feed, pa.table(columns))
        finally:
            con.close()
        frame = frame.join(profile.set_index("file_index"))
    return _tidy(feed, frame)


def profile_batches(
    feed: str | Feed,
    batches: Sequence[Path | str],
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """One row per landing Parquet file of ``batches``, in input order.

    Columns: ``landing_path``, ``batch_id`` (None for a file without rows), ``data_rows``,
    ``rows_flagged`` (rows breaking an error rule), ``rows_warned`` (only warnings),
    ``first_flagged_rows``; per rule code the count of rows breaking it and
    ``first_rows:<code>`` (the first ``_row_number`` values, up to 3); and
    ``duplicate_key_rows`` (rows whose record key and 更新时间 repeat in the batch),
    ``first_duplicate_rows`` and ``duplicate_key_example`` (the first repeated key's
    displayable parts, never an ID number).
    """
    feed = resolve_feed(feed)
    files = [str(Path(b)) for b in batches]
    absent = [f for f in files if not Path(f).is_file()]
    if absent:
        raise FileNotFoundError(f"landing batches not found: {absent[:3]}")
    frame = pd.DataFrame({"landing_path": files})
    if not files:
        return _tidy(feed, frame)
    own = con is None
    con = connect() if con is None else con
    try:
        scan = _scan(files)
        try:  # every file has every canonical column (the landing layout): one read
            profile = _run(con, feed, _source(feed, scan), many=len(files) > MANY_FILES)
        except duckdb.BinderException:  # some column absent everywhere: read the schemas
            source = _source(feed, scan, _columns(con, scan))
            profile = _run(con, feed, source, many=len(files) > MANY_FILES)
        mixed = profile.loc[profile["batch_id"] != profile["last_batch_id"], "file_index"]
        if len(mixed):
            raise ValueError(f"a landing file must hold one batch: {[files[i] for i in mixed[:3]]}")
        frame = frame.join(profile.set_index("file_index"))
        return _tidy(feed, frame)
    finally:
        if own:
            con.close()


def _row_numbers(value: object) -> list[int]:
    if value is None or value is pd.NA or isinstance(value, float):  # NULL list, NaN: no row
        return []
    return [int(v) for v in value]  # type: ignore[attr-defined]


def _tidy(feed: Feed, frame: pd.DataFrame) -> pd.DataFrame:
    """Files without rows get zero counts and empty lists; counts become plain int64."""
    codes = [r.code for r in row_rules(feed)]
    counts = ["data_rows", "rows_flagged", "rows_warned", *codes, "duplicate_key_rows"]
    lists = ["first_flagged_rows", *map(first_rows_column, codes), "first_duplicate_rows"]
    nothing = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    out: dict[str, object] = {"landing_path": frame["landing_path"]}
    out["batch_id"] = (
        frame.get("batch_id", nothing)
        .astype(object)
        .where(frame.get("batch_id", nothing).notna(), None)
    )
    for name in counts:
        out[name] = frame.get(name, nothing).fillna(0).astype("int64")
    for name in lists:
        out[name] = pd.Series(
            [_row_numbers(v) for v in frame.get(name, nothing)], index=frame.index, dtype=object
        )
    example = frame.get("duplicate_key_example", nothing).astype(object)
    out["duplicate_key_example"] = example.where(example.notna(), None)
    return pd.DataFrame(out).reset_index(drop=True)
