"""The load ledger: one row per delivered file, with what became of it and why.

Stored as append-only Parquet event files per feed (``ledger/<feed>/<run>-<n>.parquet``):
ingest tasks of different feeds run in parallel and never write the same file,
and a killed run loses at most its unflushed events, which the rerun redoes
(the batches themselves are idempotent).  The current ledger is the latest
event per delivered file (path + sha256).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .zones import write_parquet


@dataclass
class LedgerEntry:
    file_path: str  # relative to the inbox root
    file_sha256: str
    feed: str
    sender: str
    business_date: dt.date | None
    seq: int
    batch_id: str
    status: str  # loaded | quarantined | rejected | duplicate | superseded
    reason_code: str
    message: str  # one line for the data steward
    rows_in: int  # data rows delivered, malformed lines included
    rows_malformed: int
    rows_loaded: int  # rows in the raw zone (0 unless loaded)
    rows_flagged: int  # rows breaking an error-severity row rule
    rows_warned: int  # rows with warnings only
    bytes: int
    file_format: str
    encoding: str
    file_mtime: dt.datetime | None
    duplicate_of: str  # the delivery this file copies
    superseded_by: str  # the batch that replaced this one
    decided_at: dt.datetime
    run_id: str


LEDGER_SCHEMA = pa.schema(
    [
        pa.field("file_path", pa.string()),
        pa.field("file_sha256", pa.string()),
        pa.field("feed", pa.string()),
        pa.field("sender", pa.string()),
        pa.field("business_date", pa.date32()),
        pa.field("seq", pa.int32()),
        pa.field("batch_id", pa.string()),
        pa.field("status", pa.string()),
        pa.field("reason_code", pa.string()),
        pa.field("message", pa.string()),
        pa.field("rows_in", pa.int64()),
        pa.field("rows_malformed", pa.int64()),
        pa.field("rows_loaded", pa.int64()),
        pa.field("rows_flagged", pa.int64()),
        pa.field("rows_warned", pa.int64()),
        pa.field("bytes", pa.int64()),
        pa.field("file_format", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("file_mtime", pa.timestamp("us", tz="UTC")),
        pa.field("duplicate_of", pa.string()),
        pa.field("superseded_by", pa.string()),
        pa.field("decided_at", pa.timestamp("us", tz="UTC")),
        pa.field("run_id", pa.string()),
    ]
)
assert [f.name for f in fields(LedgerEntry)] == LEDGER_SCHEMA.names


class Ledger:
    def __init__(self, root: Path) -> None:
        self.root = root  # <data>/ledger

    def prepare(self) -> None:
        """A zero-row file with the ledger's schema, so dbt's ledger glob never matches nothing."""
        empty = self.root / "_empty" / "_schema.parquet"
        if not empty.exists():
            write_parquet(LEDGER_SCHEMA.empty_table(), empty)

    def append(self, feed: str, run_id: str, entries: list[LedgerEntry]) -> None:
        if not entries:
            return
        folder = self.root / feed
        part = len(list(folder.glob(f"{run_id}-*.parquet")))
        table = pa.Table.from_pylist([asdict(e) for e in entries], schema=LEDGER_SCHEMA)
        write_parquet(table, folder / f"{run_id}-{part:05d}.parquet")

    def read(self, feed: str | None = None) -> pd.DataFrame:
        """The current ledger: the latest event of every delivered file."""
        folders = (
            [self.root / feed] if feed else sorted(p for p in self.root.glob("*") if p.is_dir())
        )
        files = [f for folder in folders for f in sorted(folder.glob("*.parquet"))]
        if not files:
            return LEDGER_SCHEMA.empty_table().to_pandas()
        events = pa.concat_tables(pq.read_table(f, schema=LEDGER_SCHEMA) for f in files).to_pandas()
        events["_order"] = range(len(events))
        latest = events.sort_values(["decided_at", "_order"]).drop_duplicates(
            ["file_path", "file_sha256"], keep="last"
        )
        return latest.drop(columns="_order").sort_values("file_path").reset_index(drop=True)
