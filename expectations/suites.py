"""The gate's Expectation Suites, one per feed, as code; thresholds come from ingest.contract.

Each expectation reads one column of the *batch profile* (one row per landing batch, built
by gate.py from profile.py and the ingest's facts) and stands for one reason a batch is
refused; its ``meta`` carries the reason code and the status, in order of priority.  The
suites are also saved as JSON under ``expectations/suites/`` for review in version control;
``python -m expectations.suites`` rewrites them and a test keeps them equal to the code.

Imports Great Expectations (~6 s): import this module only where a gate runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from ingest.contract import FEEDS, Feed

SUITE_DIR = Path(__file__).resolve().parent / "suites"
# Edge rule 3: a snapshot under half its sender's previous accepted snapshot is refused.
SMALL_SNAPSHOT_SHARE = 0.5

# reason code → status, in order of priority (the first failing expectation decides)
REASONS: dict[str, str] = {
    "missing_required_column": "rejected",
    "unknown_institution": "rejected",
    "no_data_rows": "rejected",
    "small_snapshot": "quarantined",
    "row_rules": "quarantined",
    "duplicate_key_versions": "quarantined",
}

# Batch-profile columns the suites read.
PROFILE_COLUMNS = (
    "batch_id",
    "file_name",
    "missing_required_columns",
    "sender_registered",
    "data_rows",
    "previous_snapshot_rows",
    "snapshot_share",
    "rows_flagged",
    "flagged_share",
    "duplicate_key_rows",
)


def suite_name(feed: str) -> str:
    return f"gate_{feed}"


def _meta(reason: str) -> dict[str, Any]:
    return {"reason_code": reason, "status": REASONS[reason]}


def build_suite(feed: Feed) -> gx.ExpectationSuite:
    """The suite of one feed (not yet added to a context)."""
    expectations: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToBeBetween(
            column="missing_required_columns",
            max_value=0,
            meta=_meta("missing_required_column"),
            description="A file holds every required column of the feed (contract §1).",
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="sender_registered",
            value_set=[True],
            meta=_meta("unknown_institution"),
            description="The file name's institution is in the registry (edge rule 7).",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="data_rows",
            min_value=1,
            meta=_meta("no_data_rows"),
            description="A file has at least one data row (edge rule 2).",
        ),
    ]
    if feed.guard_small_snapshot:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="snapshot_share",
                min_value=SMALL_SNAPSHOT_SHARE,
                row_condition=Column("previous_snapshot_rows").is_not_null(),
                meta=_meta("small_snapshot"),
                description=(
                    "A snapshot has at least half the data rows of the sender's previous "
                    "accepted snapshot (edge rule 3)."
                ),
            )
        )
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(
            column="flagged_share",
            max_value=feed.max_broken_share,
            row_condition=Column("rows_flagged") >= feed.min_broken_rows,
            meta=_meta("row_rules"),
            description=(
                f"At most {feed.max_broken_share:.0%} of the data rows break a row rule, "
                f"unless fewer than {feed.min_broken_rows} rows do (edge rule 3)."
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="duplicate_key_rows",
            max_value=0,
            meta=_meta("duplicate_key_versions"),
            description=(
                "No two rows carry the same record key and 更新时间 (edge rule 12)."
                if feed.version_column
                else "No two rows carry the same record key."
            ),
        ),
    ]
    return gx.ExpectationSuite(
        name=suite_name(feed.name),
        expectations=expectations,
        meta={"feed": feed.name, "title": feed.title},
    )


def _strip(value: Any) -> Any:
    """Drop what changes between builds (ids) or installs (the GX version)."""
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if k not in ("id", "great_expectations_version", "rendered_content")
        }
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def suite_json(feed: Feed) -> dict[str, Any]:
    """The suite as stored in version control."""
    return _strip(json.loads(json.dumps(build_suite(feed).to_json_dict(), default=str)))


def suite_path(feed: str) -> Path:
    return SUITE_DIR / f"{feed}.json"


def render(feed: Feed) -> str:
    return json.dumps(suite_json(feed), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_suites() -> list[Path]:
    SUITE_DIR.mkdir(exist_ok=True)
    written = []
    for feed in FEEDS.values():
        path = suite_path(feed.name)
        path.write_text(render(feed), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_suites():
        print(written_path)
