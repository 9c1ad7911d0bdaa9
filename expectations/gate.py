"""The load gate: Great Expectations decides, per landing batch, loaded / quarantined /
rejected, with a reason a data steward can act on.

Why one validation per feed and not per file: GX costs ~25 ms or more per validation run
and a demo year brings ~32,000 files, so the gate profiles all batches of a feed at once
(profile.py: one DuckDB query over their landing Parquet) and validates one pandas
DataFrame of batch profiles, one row per batch, against the feed's suite (suites.py).
Result format COMPLETE with ``batch_id`` as the unexpected-index column makes each failing
expectation name its failing batches; those map back to decisions.  Results go to a
file-backed GX context under ``gx_root`` and Data Docs, so a steward can browse why a
batch was refused.

GX is imported lazily, once per process (it takes ~6 s), when the first Gate is made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlparse

import pandas as pd

from ingest.contract import FEEDS, Feed, row_rules

from . import messages
from .profile import first_rows_column, profile_batches

if TYPE_CHECKING:
    from great_expectations.checkpoint import Checkpoint
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.datasource.fluent import PandasDatasource

DATASOURCE = "gate_batch_profiles"
BATCH_DEFINITION = "all_batches"
INDEX_COLUMNS = ["batch_id", "file_name"]
PROFILE_ROWS = 2_000_000  # data rows profiled in one DuckDB query (see _chunks)


@dataclass(frozen=True)
class BatchForGate:
    """What ingest knows of one delivered file, and where its landing Parquet lies.

    ``landing_path`` may be absent only for a batch refused for its contract (missing
    column, unknown sender, no rows): those decisions need no rows."""

    batch_id: str
    feed: str
    file_name: str  # the delivered file name, used in steward messages
    landing_path: Path  # the landing Parquet
    missing_required: tuple[str, ...]  # required Chinese headers absent from the file
    sender_registered: bool  # sender in the institution registry (edge rule 7)
    data_rows: int  # rows parsed (malformed lines already excluded)
    # data rows of the sender's previous accepted snapshot (feeds with guard_small_snapshot)
    previous_snapshot_rows: int | None
    # the batch's profile when ingest made it while landing (profile.profile_table), else
    # the gate profiles the landing file
    profile: dict[str, Any] | None = None


@dataclass(frozen=True)
class GateDecision:
    batch_id: str
    status: str  # "loaded" | "quarantined" | "rejected"
    reason_code: str  # "" when loaded, else one of suites.REASONS
    message: str  # "" when loaded, else one line a data steward can act on
    rows_flagged: int  # rows with >= 1 error-severity rule
    rows_warned: int  # rows with only warnings
    rule_counts: dict[str, int] = field(default_factory=dict)  # RowRule.code -> rows (> 0)
    # the GX expectation results concerning this batch: type, column, kwargs, success,
    # observed value (this batch's value of the column), reason code
    expectations: list[dict[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """GX's deprecation warnings, log lines and prints stay off stdout (stdout is for the
    task's own output); warnings are dropped, anything printed goes to stderr."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _exclusive(gx_root: Path) -> Iterator[None]:
    """One process at a time writes the GX project (Airflow runs feeds in parallel
    processes; interleaved writes of great_expectations.yml would corrupt it)."""
    import fcntl

    gx_root.mkdir(parents=True, exist_ok=True)
    with open(gx_root / ".gate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class GateError(RuntimeError):
    """The gate could not decide (an expectation raised, or the inputs disagree)."""


class Gate:
    """Decides batches of one feed at a time against that feed's suite."""

    def __init__(self, gx_root: Path) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self.gx_root = Path(gx_root)
        with _quiet(), _exclusive(self.gx_root):
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self._gx = gx
            self._context = gx.get_context(mode="file", project_root_dir=self.gx_root)
            bars: Any = self._context.variables.progress_bars  # a dict once read back
            current = bars if isinstance(bars, dict) else vars(bars) if bars else {}
            if current.get("globally") is not False or current.get("metric_calculations"):
                self._context.variables.progress_bars = ProgressBarsConfig(
                    globally=False, metric_calculations=False
                )
                self._context.variables.save()
        self._checkpoints: dict[str, Checkpoint] = {}

    # --- GX objects, made on first use per feed and stored in the context ----------------

    def _checkpoint(self, feed: Feed) -> Checkpoint:
        if feed.name in self._checkpoints:
            return self._checkpoints[feed.name]
        from great_expectations.checkpoint import UpdateDataDocsAction

        from . import suites

        gx, context = self._gx, self._context
        with _quiet(), _exclusive(self.gx_root):
            try:
                source = cast("PandasDatasource", context.data_sources.get(DATASOURCE))
            except KeyError:
                source = context.data_sources.add_pandas(DATASOURCE)
            try:
                asset = source.get_asset(feed.name)
            except LookupError:
                asset = source.add_dataframe_asset(feed.name)
            try:
                batch_definition = asset.get_batch_definition(BATCH_DEFINITION)
            except KeyError:
                batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
            suite = context.suites.add_or_update(suites.build_suite(feed))
            name = suites.suite_name(feed.name)
            validation = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[validation],
                    actions=[UpdateDataDocsAction(name="update_data_docs")],
                    result_format={
                        "result_format": "COMPLETE",
                        "unexpected_index_column_names": INDEX_COLUMNS,
                    },
                )
            )
        self._checkpoints[feed.name] = checkpoint
        return checkpoint

    # --- the decision ----------------------------------------------------------------------

    def check(self, feed: str, batches: Sequence[BatchForGate]) -> list[GateDecision]:
        """Decisions for ``batches`` (all of ``feed``), in the same order."""
        spec = FEEDS[feed]
        if not batches:
            return []
        _check_inputs(feed, batches)
        profiles = _profiles(spec, batches)
        frame = gate_frame(batches, profiles)
        checkpoint = self._checkpoint(spec)
        with _quiet(), _exclusive(self.gx_root):
            run = checkpoint.run(
                batch_parameters={"dataframe": frame},
                run_id=self._gx.RunIdentifier(
                    run_name=f"gate_{feed}", run_time=dt.datetime.now(dt.UTC)
                ),
            )
        results = list(run.run_results.values())
        if len(results) != 1:
            raise GateError(f"expected one validation result for {feed}, got {len(results)}")
        outcome = _outcome(results[0])
        return [
            _decide(spec, batch, profile, frame_row, outcome)
            for batch, profile, frame_row in zip(
                batches,
                _records(profiles),
                _records(frame),
                strict=True,
            )
        ]

    def build_data_docs(self) -> Path:
        """Rebuild the Data Docs site; returns its index.html."""
        with _quiet(), _exclusive(self.gx_root):
            sites = self._context.build_data_docs()
        url = urlparse(next(iter(sites.values())))
        return Path(unquote(url.path))


# --- inputs ----------------------------------------------------------------------------------


def _check_inputs(feed: str, batches: Sequence[BatchForGate]) -> None:
    other = [b.batch_id for b in batches if b.feed != feed]
    if other:
        raise ValueError(f"batches of another feed than {feed}: {other[:3]}")
    ids = [b.batch_id for b in batches]
    if len(set(ids)) != len(ids):
        raise ValueError(f"batch ids repeat in one gate call: {sorted(ids)[:3]}")


def _contract_refused(batch: BatchForGate) -> bool:
    return bool(batch.missing_required) or not batch.sender_registered or batch.data_rows == 0


def _chunks(batches: Sequence[BatchForGate]) -> list[list[BatchForGate]]:
    """Consecutive batches of at most PROFILE_ROWS data rows together (a larger batch
    alone), so one profile query's memory stays bounded whatever the backlog."""
    chunks: list[list[BatchForGate]] = []
    rows = 0
    for b in batches:
        if not chunks or rows + b.data_rows > PROFILE_ROWS:
            chunks.append([])
            rows = 0
        chunks[-1].append(b)
        rows += b.data_rows
    return chunks


def _profiles(feed: Feed, batches: Sequence[BatchForGate]) -> pd.DataFrame:
    """Profiles in batch order; a batch without a landing file (refused for its contract
    anyway) profiles as no broken rows."""
    present = [b for b in batches if b.landing_path.is_file()]
    for b in batches:
        if not b.landing_path.is_file() and not _contract_refused(b):
            raise FileNotFoundError(f"{b.file_name}: landing batch {b.landing_path} not found")
    made = [b for b in present if b.profile is not None]
    to_profile = [b for b in present if b.profile is None]
    found = pd.concat(
        [profile_batches(feed, [b.landing_path for b in chunk]) for chunk in _chunks(to_profile)]
        or [profile_batches(feed, [])]
    )
    if made:
        found = pd.concat([found, pd.DataFrame([b.profile for b in made], columns=found.columns)])
    found.index = pd.Index([b.batch_id for b in (*to_profile, *made)])
    rows = []
    for b in batches:
        if b.batch_id in found.index:
            row = {str(k): v for k, v in found.loc[b.batch_id].items()}
            if pd.notna(row["batch_id"]) and row["batch_id"] != b.batch_id:
                raise GateError(
                    f"{b.file_name}: landing file holds batch {row['batch_id']}, not {b.batch_id}"
                )
            if row["data_rows"] != b.data_rows:
                raise GateError(
                    f"{b.file_name}: ingest counted {b.data_rows} data rows, "
                    f"the landing batch holds {row['data_rows']}"
                )
        else:
            row = _empty_profile(feed, b)
        rows.append(row)
    return pd.DataFrame(rows, columns=found.columns)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _empty_profile(feed: Feed, batch: BatchForGate) -> dict[str, Any]:
    row: dict[str, Any] = {"landing_path": str(batch.landing_path), "batch_id": batch.batch_id}
    codes = [r.code for r in row_rules(feed)]
    for name in ("rows_flagged", "rows_warned", *codes, "duplicate_key_rows"):
        row[name] = 0
    row["data_rows"] = batch.data_rows
    for name in ("first_flagged_rows", *map(first_rows_column, codes), "first_duplicate_rows"):
        row[name] = []
    row["duplicate_key_example"] = None
    return row


def gate_frame(batches: Sequence[BatchForGate], profiles: pd.DataFrame) -> pd.DataFrame:
    """The DataFrame GX validates: one row per batch, the columns of suites.PROFILE_COLUMNS."""
    data_rows = [b.data_rows for b in batches]
    flagged = profiles["rows_flagged"].astype("int64").tolist()
    previous = [b.previous_snapshot_rows for b in batches]
    return pd.DataFrame(
        {
            "batch_id": [b.batch_id for b in batches],
            "file_name": [b.file_name for b in batches],
            "missing_required_columns": [len(b.missing_required) for b in batches],
            "sender_registered": [bool(b.sender_registered) for b in batches],
            "data_rows": data_rows,
            "previous_snapshot_rows": pd.array(previous, dtype="Float64").astype("float64"),
            "snapshot_share": [
                n / p if p else math.nan for n, p in zip(data_rows, previous, strict=True)
            ],
            "rows_flagged": flagged,
            "flagged_share": [
                f / n if n else math.nan for f, n in zip(flagged, data_rows, strict=True)
            ],
            "duplicate_key_rows": profiles["duplicate_key_rows"].astype("int64").tolist(),
        }
    )


# --- GX results → decisions -------------------------------------------------------------------


@dataclass
class _Expectation:
    type: str
    column: str
    kwargs: dict[str, Any]
    reason_code: str
    status: str
    failing: set[str]


def _outcome(result: ExpectationSuiteValidationResult) -> list[_Expectation]:
    """Per expectation, in suite order, the batch ids that failed it; raises when an
    expectation errored (GX reports a failure that hides an exception otherwise)."""
    out = []
    for r in result.results:
        info = r.exception_info or {}
        raised = [info] if "raised_exception" in info else list(info.values())
        errors = [i for i in raised if isinstance(i, dict) and i.get("raised_exception")]
        config = r.expectation_config
        if config is None:
            raise GateError("a GX result carries no expectation configuration")
        if errors:
            raise GateError(
                f"expectation {config.type} on {config.kwargs.get('column')} raised: "
                f"{errors[0].get('exception_message')}"
            )
        failing = {str(row["batch_id"]) for row in r.result.get("unexpected_index_list") or []}
        if not r.success and not failing:
            raise GateError(f"expectation {config.type} failed without naming a batch: {r.result}")
        kwargs = {k: _plain(v) for k, v in config.kwargs.items() if k != "batch_id"}
        meta = config.meta or {}
        out.append(
            _Expectation(
                type=config.type,
                column=str(config.kwargs.get("column")),
                kwargs=kwargs,
                reason_code=str(meta.get("reason_code", "")),
                status=str(meta.get("status", "")),
                failing=failing,
            )
        )
    return out


def _plain(value: Any) -> Any:
    """JSON-friendly: row conditions as their dict, numpy scalars as Python ones, NaN → None."""
    if hasattr(value, "dict") and callable(value.dict):
        return value.dict()
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _decide(
    feed: Feed,
    batch: BatchForGate,
    profile: dict[str, Any],
    frame_row: dict[str, Any],
    outcome: list[_Expectation],
) -> GateDecision:
    expectations = [
        {
            "type": e.type,
            "column": e.column,
            "kwargs": e.kwargs,
            "success": batch.batch_id not in e.failing,
            "observed_value": _plain(frame_row.get(e.column)),
            "reason_code": e.reason_code,
        }
        for e in outcome
    ]
    failed = [e for e in outcome if batch.batch_id in e.failing]
    codes = [r.code for r in row_rules(feed)]
    rule_counts = {c: int(profile[c]) for c in codes if int(profile[c]) > 0}
    reason = failed[0] if failed else None
    return GateDecision(
        batch_id=batch.batch_id,
        status=reason.status if reason else "loaded",
        reason_code=reason.reason_code if reason else "",
        message=_message(feed, batch, profile, reason.reason_code) if reason else "",
        rows_flagged=int(profile["rows_flagged"]),
        rows_warned=int(profile["rows_warned"]),
        rule_counts=rule_counts,
        expectations=expectations,
    )


def _message(feed: Feed, batch: BatchForGate, profile: dict[str, Any], reason: str) -> str:
    name = batch.file_name
    match reason:
        case "missing_required_column":
            return messages.missing_columns(name, batch.missing_required)
        case "unknown_institution":
            return messages.unknown_institution(feed.name, name)
        case "no_data_rows":
            return messages.no_data_rows(name)
        case "small_snapshot":
            assert batch.previous_snapshot_rows is not None
            return messages.small_snapshot(name, batch.data_rows, batch.previous_snapshot_rows)
        case "row_rules":
            codes = [r.code for r in row_rules(feed)]
            return messages.broken_rows(
                feed,
                name,
                batch.data_rows,
                int(profile["rows_flagged"]),
                {c: int(profile[c]) for c in codes},
                {c: profile[first_rows_column(c)] for c in codes},
                profile["first_flagged_rows"],
            )
        case "duplicate_key_versions":
            return messages.duplicate_keys(
                feed,
                name,
                int(profile["duplicate_key_rows"]),
                profile["duplicate_key_example"],
                profile["first_duplicate_rows"],
            )
    raise GateError(f"{name}: unknown reason code {reason!r} in the {feed.name} suite")
