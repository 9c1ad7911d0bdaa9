"""What an ingest run did, for the task log and for deciding whether the warehouse must rebuild."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

CHANGES_RAW_ZONE = ("loaded", "superseded")


def summarize_run(reports: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """Log each feed's new files by status; return the counts that changed the raw zone."""
    changed: dict[str, int] = {}
    for report in reports:
        statuses = report.get("statuses") or {}
        assert isinstance(statuses, Mapping)
        log.info("%s: %s new files, %s", report.get("feed"), report.get("new_files"), statuses)
        for status in CHANGES_RAW_ZONE:
            if statuses.get(status):
                changed[status] = changed.get(status, 0) + int(statuses[status])
    return changed


def log_ledger_summary(data_root: Path) -> None:
    from ingest.ledger import Ledger
    from xzh.summary import format_summary, ledger_summary

    ledger = Ledger(data_root / "ledger").read()
    if not ledger.empty:
        log.info("\n%s", format_summary(ledger_summary(ledger)))
