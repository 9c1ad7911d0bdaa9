"""Edge rule 3 through the pipeline: each snapshot is judged against the sender's previous
*accepted* snapshot, even when a backlog of snapshots is gated in one run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from expectations.gate import Gate
from ingest.config import load_config
from ingest.ledger import Ledger
from ingest.pipeline import ingest_feed

SENDER = "11320300014144830H"  # the commission sends the registry feeds


class CountingGate(Gate):
    runs = 0

    def check(self, feed, batches):  # type: ignore[no-untyped-def]
        CountingGate.runs += 1
        return super().check(feed, batches)


def snapshot(source: Path, target: Path, rows: int) -> None:
    """The header and the first ``rows`` data lines of ``source`` (bytes: any encoding)."""
    lines = source.read_bytes().split(b"\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join(lines[: rows + 1]) + b"\n")


def test_a_refused_snapshot_is_not_the_next_ones_judge(demo_city, tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    first = demo_city.inbox / "team" / "202510" / f"team_{SENDER}_20251001.csv"
    full = len(first.read_bytes().rstrip(b"\n").split(b"\n")) - 1
    assert full >= 40, "the demo team registry is too small for this case"
    registry = demo_city.inbox / "institution" / "202510" / f"institution_{SENDER}_20251001.csv"
    snapshot(registry, inbox / "institution" / "202510" / registry.name, 10**9)
    # A: all rows. B: under half of A (refused). C: under half of A, more than B: it must be
    # judged against A, the last accepted one, not against B. D: over half of A.
    sizes = {"20251001": full, "20251101": 16, "20251201": 18, "20260101": full * 6 // 10}
    for day, rows in sizes.items():
        snapshot(first, inbox / "team" / day[:6] / f"team_{SENDER}_{day}.csv", rows)
    config = load_config(str(inbox), data)
    gate = CountingGate(data / "gx")
    ingest_feed("institution", config, gate)
    CountingGate.runs = 0
    ingest_feed("team", config, gate)

    ledger = Ledger(data / "ledger").read("team").set_index("business_date").sort_index()
    got = list(zip(ledger["status"], ledger["reason_code"], strict=True))
    assert got == [
        ("loaded", ""),
        ("quarantined", "small_snapshot"),
        ("quarantined", "small_snapshot"),
        ("loaded", ""),
    ]
    c_message = ledger.loc[pd.Timestamp("2025-12-01").date(), "message"]
    assert f"18 rows, fewer than half of the previous snapshot ({full} rows)" in c_message
    # one run for all four, again from C after B was refused, again from D after C
    assert CountingGate.runs == 3
