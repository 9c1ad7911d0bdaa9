"""Helpers for the dbt tests (no tests here): run dbt in-process against a scratch
warehouse, and write a raw zone by hand the way the ingest does (ingest/contract.py
LINEAGE, every canonical column as text, _extra)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.contract import EXTRA_COLUMN, FEEDS, LINEAGE

ROOT = Path(__file__).resolve().parents[1]
PROJECT_DIR = ROOT / "dbt_project"

_ARROW = {
    "string": pa.string(),
    "date32": pa.date32(),
    "int32": pa.int32(),
    "timestamp[us, tz=UTC]": pa.timestamp("us", tz="UTC"),
}


def shared_work_dir(name: str, build: Callable[[Path], None], fallback: Path) -> Path:
    """A folder that ``build`` fills once per test session, shared by pytest-xdist workers
    (they wait on a lock instead of building twice); ``fallback`` without xdist."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        build(fallback)
        return fallback
    root = Path(tempfile.gettempdir()) / f"xzh-dbt-tests-{run}"
    root.mkdir(parents=True, exist_ok=True)
    work = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (work / ".done").exists():
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            build(work)
            (work / ".done").touch()
    return work


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _dbt_env(data: Path, work: Path) -> dict[str, str]:
    return {
        "XZH_DATA": str(data),
        "XZH_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def _dbt_paths(work: Path) -> list[str]:
    return [
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
    ]  # fmt: skip


def run_dbt(args: Sequence[str], data: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` in a subprocess (dbt-duckdb keeps its connection open in-process) with
    XZH_DATA=data and the warehouse, target and logs in work."""
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *args, *_dbt_paths(work)],
        env={**os.environ, **_dbt_env(data, work)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def compile_inline(work: Path, sql: str) -> str:
    """The SQL of ``sql`` with the project's macros expanded (dbt in-process: no warehouse
    is written)."""
    from dbt.cli.main import dbtRunner

    data = work / "data"
    prepare_raw_zone(data)
    with _environment(_dbt_env(data, work)):
        result = dbtRunner().invoke(["compile", "--inline", sql, *_dbt_paths(work), "--quiet"])
    assert result.success, result.exception
    compiled = str(result.result.results[0].node.compiled_code)
    (work / "compiled.sql").write_text(compiled, encoding="utf-8")
    return compiled


def batch_schema(feed: str) -> pa.Schema:
    fields = [pa.field(n, _ARROW[t]) for n, t in LINEAGE.items()]
    fields += [pa.field(n, pa.string()) for n in FEEDS[feed].names]
    fields.append(pa.field(EXTRA_COLUMN, pa.string()))
    return pa.schema(fields)


def prepare_raw_zone(data: Path) -> None:
    """The zero-row ``_empty/_schema.parquet`` of every feed and of the load ledger,
    as the ingest writes them."""
    from ingest.ledger import Ledger

    for feed in FEEDS:
        path = data / "raw" / feed / "_empty" / "_schema.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(batch_schema(feed).empty_table(), path)
    Ledger(data / "ledger").prepare()


def write_batch(
    data: Path,
    feed: str,
    sender: str,
    business_date: str,
    rows: Sequence[Mapping[str, str | None]],
    seq: int = 1,
    absent: Sequence[str] = (),
) -> str:
    """One accepted batch in the raw zone; a canonical column a row does not name is a blank
    cell (''), one named in ``absent`` was missing from the file (NULL). Returns the batch id."""
    day = dt.date.fromisoformat(business_date)
    name = f"{feed}_{sender}_{day:%Y%m%d}" + (f"_{seq}" if seq > 1 else "")
    sha = hashlib.sha256(name.encode()).hexdigest()
    batch_id = f"{feed}_{sender}_{day:%Y%m%d}_{seq}_{sha[:12]}"
    schema = batch_schema(feed)
    lineage = {
        "_batch_id": batch_id,
        "_feed": feed,
        "_sender": sender,
        "_business_date": day,
        "_seq": seq,
        "_file_sha256": sha,
        "_file_path": f"{feed}/{day:%Y%m}/{name}.csv",
        "_loaded_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    columns: dict[str, list[object]] = {n: [] for n in schema.names}
    for number, row in enumerate(rows, start=1):
        for n in schema.names:
            if n == "_row_number":
                columns[n].append(number)
            elif n in lineage:
                columns[n].append(lineage[n])
            elif n == EXTRA_COLUMN:
                columns[n].append(row.get(n))
            else:
                columns[n].append(None if n in absent else row.get(n, ""))
    path = data / "raw" / feed / f"{day:%Y-%m}" / f"{batch_id}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), path)
    return batch_id
