"""One feed through ingest and gate: find new deliveries, land them, gate them, file them.

For every new file, in the order of edge rule 4 (feed, business date,
institution, sequence, path):

1. a name that is not a delivery's is rejected (edge rule 1);
2. bytes already delivered under another name are a duplicate (edge rule 4);
3. the file is decoded and parsed into a landing batch with lineage;
4. the gate (``expectations``) decides loaded, quarantined or rejected;
5. the batch moves to raw or quarantine; an accepted ``_<seq>`` file
   supersedes lower sequences of the same feed, sender and date (edge rule 5);
6. the ledger records the outcome.

Reruns are cheap and change nothing: files already in the ledger with the
same path, size and modification time are skipped without reading them, and
every batch name is derived from the file's sha256.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fsspec
import pandas as pd

from .config import PlatformConfig
from .contract import FEEDS, LOAD_ORDER, Feed
from .landing import Lineage, batch_id_for, landing_table
from .ledger import Ledger, LedgerEntry
from .naming import BadDeliveryName, DeliveryName, parse_delivery_path
from .parse import UnreadableFile, parse_file
from .registry import sender_registry
from .zones import Zones, move, write_parquet, write_text

if TYPE_CHECKING:
    from expectations.gate import Gate, GateDecision

log = logging.getLogger(__name__)

LEDGER_FLUSH_EVERY = 1000  # decisions; a killed run redoes at most this many files
PARALLEL_FROM = 64  # files; fewer small files are parsed in this process
# Fewer files go to parse workers too when they are big enough to pay for a process each
# and when that many at once fit the memory budget: parsing a file peaks at about 11× its
# size (measured: 104 MB population snapshot, 1.4 GB), so a month of scale-0.1 snapshots is
# parsed two at a time and a scale-1 snapshot (1 GB) alone, under the 8 GB goal.
PARALLEL_FROM_BYTES = 32 * 2**20
PARSE_MEMORY_PER_BYTE = 11
PARSE_MEMORY_BUDGET = 6 * 2**30
PROFILE_WHILE_WRITING_FROM = 50_000  # rows; smaller files are profiled together by the gate


@dataclass(frozen=True)
class Delivered:
    """A file found in the inbox."""

    path: str  # relative to the inbox root, '/'-separated
    url: str  # what fsspec opens
    size: int
    mtime: dt.datetime | None


@dataclass
class Landed:
    """A new file after parsing: its landing batch and what the gate needs to know."""

    delivered: Delivered
    name: DeliveryName | None
    sha256: str
    batch_id: str
    landing: Path | None  # None when nothing could be parsed
    data_rows: int
    malformed: list[tuple[int, str]]
    missing_required: tuple[str, ...]
    encoding: str
    failure: str  # "" or why the file is rejected before the gate
    failure_code: str
    profile: dict[str, Any] | None = None  # the gate's profile, when made while landing

    @property
    def rows_in(self) -> int:
        return self.data_rows + len(self.malformed)


@dataclass(frozen=True)
class FeedReport:
    feed: str
    new_files: int
    statuses: dict[str, int]
    seconds: float


# ---------------------------------------------------------------- finding files


def inbox_filesystem(config: PlatformConfig) -> tuple[Any, str]:
    fs, root = fsspec.core.url_to_fs(config.inbox, **config.storage_options)
    return fs, root.rstrip("/")


def discover(config: PlatformConfig, folder: str) -> list[Delivered]:
    """Every file under ``<inbox>/<folder>/``, sub-folders included."""
    fs, root = inbox_filesystem(config)
    base = f"{root}/{folder}"
    if not fs.exists(base):
        return []
    found = []
    for full, info in fs.find(base, detail=True).items():
        if info.get("type") != "file":
            continue
        relative = full[len(root) + 1 :]
        found.append(Delivered(relative, full, int(info.get("size") or 0), _mtime(info)))
    return found


def stray_folders(config: PlatformConfig) -> list[str]:
    """Top-level inbox entries that are not feed folders: everything in them is rejected."""
    fs, root = inbox_filesystem(config)
    if not fs.exists(root):
        raise FileNotFoundError(f"inbox {config.inbox} does not exist")
    names = [p[len(root) + 1 :] for p in fs.ls(root, detail=False)]
    return sorted(n for n in names if n not in FEEDS)


def _mtime(info: dict[str, Any]) -> dt.datetime | None:
    value = info.get("mtime") or info.get("LastModified") or info.get("last_modified")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.fromtimestamp(float(value), dt.UTC)


def delivery_order(item: tuple[Delivered, DeliveryName | None]) -> tuple[Any, ...]:
    """Edge rule 4: (feed, business date, institution, sequence, path); unreadable names last."""
    delivered, name = item
    if name is None:
        return (1, dt.date.max, "", 0, delivered.path)
    return (0, name.business_date, name.sender, name.seq, delivered.path)


# ---------------------------------------------------------------- landing


def _land(
    feed_name: str,
    delivered: Delivered,
    name: DeliveryName | None,
    data: bytes,
    sha256: str,
    zones_root: Path,
    loaded_at: dt.datetime,
) -> Landed:
    """Parse one file and write its landing batch (runs in a worker process)."""
    feed = FEEDS[feed_name]
    sender = name.sender if name else ""
    day = name.business_date if name else None
    seq = name.seq if name else 1
    batch_id = batch_id_for(feed_name, sender, day, seq, sha256)
    landed = Landed(delivered, name, sha256, batch_id, None, 0, [], (), "", "", "")
    if not delivered.path.lower().endswith((".csv", ".xlsx")):
        return replace(
            landed, failure="extension is not .csv or .xlsx", failure_code="bad_file_name"
        )
    try:
        parsed = parse_file(feed, delivered.path, data)
    except UnreadableFile as error:
        return replace(landed, failure=str(error), failure_code="unreadable_file")
    lineage = Lineage(batch_id, feed_name, sender, day, seq, sha256, delivered.path, loaded_at)
    path = Zones(zones_root).landing(feed_name, batch_id)
    table = landing_table(feed, parsed, lineage)
    profile: dict[str, Any] | None = None
    if table.num_rows >= PROFILE_WHILE_WRITING_FROM:
        # The gate's profile of a large file costs as much as its Parquet write: run both at
        # once on the table in memory (the write releases the GIL) instead of reading it back.
        from expectations.profile import profile_table

        with ThreadPoolExecutor(1) as writer:
            written = writer.submit(write_parquet, table, path)
            row = profile_table(feed, table, path).iloc[0]
            profile = {str(k): v for k, v in row.items()}
            written.result()
    else:
        write_parquet(table, path)
    return replace(
        landed,
        landing=path,
        profile=profile,
        data_rows=parsed.data_rows,
        malformed=parsed.malformed,
        missing_required=parsed.missing_required,
        encoding=parsed.encoding,
    )


def parse_workers(sizes: list[int], configured: int) -> int:
    """How many worker processes parse files of these sizes: none (1) for a few small files
    or when two big ones at once would not fit PARSE_MEMORY_BUDGET."""
    if configured <= 1 or len(sizes) < 2:
        return 1
    if len(sizes) < PARALLEL_FROM and sum(sizes) < PARALLEL_FROM_BYTES:
        return 1
    per_file = PARSE_MEMORY_PER_BYTE * max(sizes)
    return max(1, min(configured, len(sizes), PARSE_MEMORY_BUDGET // max(per_file, 1)))


def _read_bytes(config: PlatformConfig, delivered: Delivered) -> bytes:
    fs, _ = inbox_filesystem(config)
    with fs.open(delivered.url, "rb") as f:
        data: bytes = f.read()
    return data


def _hash_from_inbox(config: PlatformConfig, delivered: Delivered) -> str:
    """Worker entry, first pass: the file's identity (edge rule 4 needs it before parsing)."""
    return hashlib.sha256(_read_bytes(config, delivered)).hexdigest()


def _land_from_inbox(
    config: PlatformConfig,
    feed_name: str,
    delivered: Delivered,
    sha256: str,
    loaded_at: dt.datetime,
) -> Landed:
    """Worker entry, second pass: parse one file into its landing batch."""
    data = _read_bytes(config, delivered)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"{delivered.path} changed while it was being ingested; rerun")
    try:
        name: DeliveryName | None = parse_delivery_path(delivered.path)
    except BadDeliveryName:
        name = None
    return _land(feed_name, delivered, name, data, sha256, config.data_root, loaded_at)


# ---------------------------------------------------------------- the feed run


@contextmanager
def feed_lock(zones: Zones, feed: str) -> Iterator[None]:
    """One run per feed at a time (a planner's manual rerun while the schedule runs)."""
    zones.lock(feed).parent.mkdir(parents=True, exist_ok=True)
    with open(zones.lock(feed), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another ingest of feed {feed} is running") from None
        yield


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


class FeedRun:
    """State of one feed's ingest run: the ledger so far and the decisions of this run."""

    def __init__(self, config: PlatformConfig, feed: Feed, gate: Gate, run_id: str) -> None:
        self.config = config
        self.feed = feed
        self.gate = gate
        self.run_id = run_id
        self.zones = Zones(config.data_root)
        self.ledger = Ledger(config.data_root / "ledger")
        self.current = self.ledger.read(feed.name)
        self.pending: list[LedgerEntry] = []
        self.statuses: dict[str, int] = {}
        # sha256 -> the delivery those bytes belong to (any status: edge rule 4)
        deliveries = self.current[self.current.status != "duplicate"]
        self.first_path: dict[str, str] = dict(
            zip(deliveries.file_sha256, deliveries.file_path, strict=True)
        )
        self.first_rows: dict[str, tuple[int, int]] = {
            sha: (int(i), int(m))
            for sha, i, m in zip(
                self.current.file_sha256,
                self.current.rows_in,
                self.current.rows_malformed,
                strict=True,
            )
        }
        # accepted batches per (sender, business date): seq -> ledger entry (edge rule 5)
        self.accepted: dict[tuple[str, dt.date], dict[int, LedgerEntry]] = {}
        for row in self.current[self.current.status.isin(["loaded", "superseded"])].itertuples():
            entry = LedgerEntry(**{k: getattr(row, k) for k in LedgerEntry.__dataclass_fields__})
            entry.business_date = _as_date(entry.business_date)
            if entry.business_date is None:
                continue
            self.accepted.setdefault((entry.sender, entry.business_date), {})[entry.seq] = entry

    # -------------------------------------------------------------- helpers

    def record(self, entry: LedgerEntry) -> None:
        self.pending.append(entry)
        self.statuses[entry.status] = self.statuses.get(entry.status, 0) + 1
        if len(self.pending) >= LEDGER_FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.ledger.append(self.feed.name, self.run_id, self.pending)
        self.pending = []

    def entry(self, landed: Landed, status: str, **values: Any) -> LedgerEntry:
        name = landed.name
        base: dict[str, Any] = {
            "file_path": landed.delivered.path,
            "file_sha256": landed.sha256,
            "feed": self.feed.name,
            "sender": name.sender if name else "",
            "business_date": name.business_date if name else None,
            "seq": name.seq if name else 0,
            "batch_id": landed.batch_id,
            "status": status,
            "reason_code": "",
            "message": "",
            "rows_in": landed.rows_in,
            "rows_malformed": len(landed.malformed),
            "rows_loaded": 0,
            "rows_flagged": 0,
            "rows_warned": 0,
            "bytes": landed.delivered.size,
            "file_format": landed.delivered.path.rsplit(".", 1)[-1].lower(),
            "encoding": landed.encoding,
            "file_mtime": landed.delivered.mtime,
            "duplicate_of": "",
            "superseded_by": "",
            "decided_at": dt.datetime.now(dt.UTC),
            "run_id": self.run_id,
        }
        base.update(values)
        return LedgerEntry(**base)

    # -------------------------------------------------------------- steps

    def new_files(self) -> list[Delivered]:
        """Files not in the ledger (one seen before with the same size and time is skipped)."""
        seen = {
            (p, int(b), _timestamp(m))
            for p, b, m in zip(
                self.current.file_path, self.current.bytes, self.current.file_mtime, strict=True
            )
        }
        found = discover(self.config, self.feed.name)
        return [d for d in found if (d.path, d.size, _timestamp(d.mtime)) not in seen]

    def _map(self, function: Any, sizes: list[int], *columns: list[Any]) -> list[Any]:
        """Run a worker function over files of these sizes, in parallel when worth it."""
        workers = parse_workers(sizes, self.config.workers)
        if workers <= 1:
            return [function(*args) for args in zip(*columns, strict=True)]
        chunk = max(1, min(32, len(sizes) // (4 * workers)))
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(function, *columns, chunksize=chunk))

    def identify(self, files: list[Delivered]) -> list[tuple[Delivered, str]]:
        """Hash new files, drop those already in the ledger, and sort them by edge rule 4."""
        sizes = [d.size for d in files]
        shas = self._map(_hash_from_inbox, sizes, [self.config] * len(files), files)
        known = set(zip(self.current.file_path, self.current.file_sha256, strict=True))
        # the same bytes at the same path, only touched, are not a new delivery
        fresh = [(d, sha) for d, sha in zip(files, shas, strict=True) if (d.path, sha) not in known]
        return sorted(fresh, key=lambda x: delivery_order((x[0], _name_or_none(x[0].path))))

    def land(self, files: list[tuple[Delivered, str]]) -> list[Landed]:
        loaded_at = dt.datetime.now(dt.UTC)
        n = len(files)
        return self._map(
            _land_from_inbox,
            [d.size for d, _ in files],
            [self.config] * n,
            [self.feed.name] * n,
            [d for d, _ in files],
            [sha for _, sha in files],
            [loaded_at] * n,
        )

    def run(self) -> FeedReport:
        start = dt.datetime.now(dt.UTC)
        files = self.identify(self.new_files())
        to_parse: list[tuple[Delivered, str]] = []
        duplicates: list[tuple[Delivered, str]] = []
        for delivered, sha in files:
            if _name_or_none(delivered.path) is not None and sha in self.first_path:
                duplicates.append((delivered, sha))
                continue
            if _name_or_none(delivered.path) is not None:
                self.first_path[sha] = delivered.path  # later copies are duplicates of this one
            to_parse.append((delivered, sha))
        gateable: list[Landed] = []
        for item in self.land(to_parse):
            self.first_rows[item.sha256] = (item.rows_in, len(item.malformed))
            if item.name is None:
                self.reject_unnamed(item)
            elif item.failure:
                message = f"{_file_name(item)}: {item.failure}"
                self.record(
                    self.entry(item, "rejected", reason_code=item.failure_code, message=message)
                )
            else:
                gateable.append(item)
        for delivered, sha in duplicates:  # after landing: a duplicate counts its original's rows
            self.duplicate(delivered, sha)
        if self.feed.guard_small_snapshot:
            self.decide_snapshots(gateable)
        else:
            self.decide(gateable)
        self.flush()
        seconds = (dt.datetime.now(dt.UTC) - start).total_seconds()
        return FeedReport(self.feed.name, len(files), self.statuses, seconds)

    def reject_unnamed(self, item: Landed) -> None:
        try:
            parse_delivery_path(item.delivered.path)
            reason = "not a delivery"
        except BadDeliveryName as error:
            reason = str(error)
        if item.landing:
            move(item.landing, self.zones.quarantine(self.feed.name, item.batch_id))
        self.record(
            self.entry(
                item,
                "rejected",
                reason_code="bad_file_name",
                message=f"{_file_name(item)}: {reason}",
            )
        )

    def duplicate(self, delivered: Delivered, sha256: str) -> None:
        name = parse_delivery_path(delivered.path)
        first = self.first_path[sha256]
        rows_in, malformed = self.first_rows.get(sha256, (0, 0))
        item = Landed(delivered, name, sha256, "", None, 0, [], (), "", "", "")
        self.record(
            self.entry(
                item,
                "duplicate",
                reason_code="duplicate",
                message=f"{_file_name(item)}: same bytes as {first}",
                duplicate_of=first,
                rows_in=rows_in,
                rows_malformed=malformed,
            )
        )

    def decide(self, items: list[Landed]) -> None:
        """One gate run over ``items`` (in delivery order), each filed by its decision."""
        if items:
            for item, decision in zip(items, self.judge(items), strict=True):
                self.file(item, decision)

    def decide_snapshots(self, items: list[Landed]) -> None:
        """Edge rule 3 judges a snapshot against the sender's previous *accepted* one, so a
        decision may depend on the one before.  One gate run judges them all as if every
        earlier one of this run were accepted; that holds up to the first one refused, and
        those after it are judged again (refusals are rare: a backlog usually takes one run,
        where one run per snapshot cost ~0.4 s each)."""
        while items:
            filed = 0
            for item, decision in zip(items, self.judge(items), strict=True):
                self.file(item, decision)
                filed += 1
                if decision.status != "loaded":
                    break
            items = items[filed:]

    def judge(self, items: list[Landed]) -> list[GateDecision]:
        """The gate's decisions for ``items``, each earlier item taken as accepted."""
        from expectations.gate import BatchForGate

        registry = sender_registry(self.config.data_root / "raw", self.config.commission_code)
        batches = []
        for i, item in enumerate(items):
            assert item.name is not None and item.landing is not None
            batches.append(
                BatchForGate(
                    batch_id=item.batch_id,
                    feed=self.feed.name,
                    file_name=_file_name(item),
                    landing_path=item.landing,
                    missing_required=item.missing_required,
                    sender_registered=item.name.sender in registry,
                    data_rows=item.data_rows,
                    previous_snapshot_rows=self.previous_snapshot_rows(item.name, items[:i]),
                    profile=item.profile,
                )
            )
        return self.gate.check(self.feed.name, batches)

    def previous_snapshot_rows(
        self, name: DeliveryName, assumed: list[Landed] | tuple[Landed, ...] = ()
    ) -> int | None:
        """Data rows of the sender's latest snapshot dated before ``name``'s (its highest
        sequence) among the accepted ones and ``assumed`` (this run's earlier items, taken
        as accepted); None when there is none or the feed has no such guard."""
        if not self.feed.guard_small_snapshot:
            return None
        standing: dict[dt.date, tuple[int, int]] = {}  # business date -> (seq, data rows)
        for (sender, day), entries in self.accepted.items():
            if sender == name.sender and day < name.business_date:
                entry = entries[max(entries)]
                standing[day] = (entry.seq, entry.rows_in - entry.rows_malformed)
        for item in assumed:
            other = item.name
            if other is None or other.sender != name.sender:
                continue
            if (
                other.business_date < name.business_date
                and other.seq >= standing.get(other.business_date, (0, 0))[0]
            ):
                standing[other.business_date] = (other.seq, item.data_rows)
        if not standing:
            return None
        return standing[max(standing)][1]

    def file(self, item: Landed, decision: GateDecision) -> None:
        """Move the batch where the gate sent it, supersede what it corrects, log it."""
        assert item.name is not None and item.landing is not None
        feed, name = self.feed.name, item.name
        counts = {
            "rows_flagged": decision.rows_flagged,
            "rows_warned": decision.rows_warned,
        }
        if decision.status != "loaded":
            move(item.landing, self.zones.quarantine(feed, item.batch_id))
            self.write_reason(item, decision)
            self.record(
                self.entry(
                    item,
                    decision.status,
                    reason_code=decision.reason_code,
                    message=decision.message,
                    **counts,
                )
            )
            return
        if item.malformed:
            self.write_reason(item, decision)
        same_day = self.accepted.setdefault((name.sender, name.business_date), {})
        higher = [s for s in same_day if s > name.seq]
        if higher:  # a correction arrived before the file it corrects
            winner = same_day[max(higher)]
            move(item.landing, self.zones.superseded(feed, name.business_date, item.batch_id))
            entry = self.entry(
                item,
                "superseded",
                reason_code="superseded",
                message=f"{_file_name(item)}: replaced by {winner.file_path.rsplit('/', 1)[-1]}",
                superseded_by=winner.batch_id,
                **counts,
            )
            same_day[name.seq] = entry
            self.record(entry)
            return
        move(item.landing, self.zones.raw(feed, name.business_date, item.batch_id))
        entry = self.entry(item, "loaded", rows_loaded=item.data_rows, **counts)
        for seq in sorted(s for s in same_day if s < name.seq):
            self.supersede(same_day[seq], entry)
        same_day[name.seq] = entry
        self.record(entry)

    def supersede(self, old: LedgerEntry, new: LedgerEntry) -> None:
        if old.status == "superseded":
            return
        move(
            self.zones.raw(self.feed.name, old.business_date, old.batch_id),
            self.zones.superseded(self.feed.name, old.business_date, old.batch_id),
        )
        old.status = "superseded"
        old.reason_code = "superseded"
        old.message = (
            f"{old.file_path.rsplit('/', 1)[-1]}: replaced by {new.file_path.rsplit('/', 1)[-1]}"
        )
        old.rows_loaded = 0
        old.superseded_by = new.batch_id
        old.decided_at = dt.datetime.now(dt.UTC)
        old.run_id = self.run_id
        self.record(replace(old))

    def write_reason(self, item: Landed, decision: GateDecision) -> None:
        """Beside a quarantined batch (or a loaded one with malformed lines): why, for a steward."""
        reason = {
            "file": item.delivered.path,
            "sha256": item.sha256,
            "status": decision.status,
            "reason_code": decision.reason_code,
            "message": decision.message,
            "rule_counts": decision.rule_counts,
            "expectations": decision.expectations,
            "malformed_lines": [{"row": r, "text": t} for r, t in item.malformed],
        }
        path = self.zones.quarantine(self.feed.name, item.batch_id).with_suffix(".json")
        write_text(json.dumps(reason, ensure_ascii=False, indent=1, default=str), path)


def _name_or_none(path: str) -> DeliveryName | None:
    try:
        return parse_delivery_path(path)
    except BadDeliveryName:
        return None


def _file_name(item: Landed) -> str:
    return item.delivered.path.rsplit("/", 1)[-1]


def _timestamp(value: Any) -> float | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return round(pd.Timestamp(value).timestamp(), 3)


def _as_date(value: Any) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


# ---------------------------------------------------------------- entry points


def ingest_feed(
    feed_name: str, config: PlatformConfig, gate: Gate | None = None, run_id: str | None = None
) -> FeedReport:
    """Ingest every new delivery of one feed (the unit an Airflow task runs)."""
    if feed_name not in FEEDS:
        raise ValueError(f"unknown feed {feed_name!r}; feeds are {', '.join(LOAD_ORDER)}")
    zones = Zones(config.data_root)
    zones.prepare()
    Ledger(config.data_root / "ledger").prepare()
    with feed_lock(zones, feed_name):
        zones.clear_landing(feed_name)
        if gate is None:
            from expectations.gate import Gate

            gate = Gate(zones.gx_root)
        report = FeedRun(config, FEEDS[feed_name], gate, run_id or new_run_id()).run()
    log.info(
        "%s: %d new files %s in %.1f s",
        feed_name,
        report.new_files,
        report.statuses,
        report.seconds,
    )
    return report


def ingest_all(config: PlatformConfig, feeds: tuple[str, ...] = LOAD_ORDER) -> list[FeedReport]:
    """Every feed, reference feeds first (the sender registry comes from them)."""
    from expectations.gate import Gate

    zones = Zones(config.data_root)
    zones.prepare()
    gate = Gate(zones.gx_root)
    run_id = new_run_id()
    reports = [ingest_feed(f, config, gate, run_id) for f in feeds]
    reports.append(reject_strays(config, run_id))
    return reports


UNKNOWN_FEED = "_unknown_feed"  # the ledger folder of files outside every feed folder


def reject_strays(config: PlatformConfig, run_id: str | None = None) -> FeedReport:
    """Files outside every feed folder are not deliveries (edge rule 1): ledgered as rejected.

    Nothing is parsed (no contract says what they hold), so their rows are unknown;
    the ledger names each file and the reason so the sender can redeliver it properly.
    """
    start = dt.datetime.now(dt.UTC)
    ledger = Ledger(config.data_root / "ledger")
    known = ledger.read(UNKNOWN_FEED) if (ledger.root / UNKNOWN_FEED).exists() else None
    seen = set() if known is None else set(zip(known.file_path, known.file_sha256, strict=True))
    entries = []
    for folder in stray_folders(config):
        for delivered in discover(config, folder):
            sha256 = _hash_from_inbox(config, delivered)
            if (delivered.path, sha256) in seen:
                continue
            folder_name = delivered.path.split("/")[0]
            reason = (
                "not inside a feed folder"
                if folder_name == delivered.path
                else f"unknown feed folder {folder_name!r}; feeds are {', '.join(LOAD_ORDER)}"
            )
            entries.append(
                LedgerEntry(
                    file_path=delivered.path,
                    file_sha256=sha256,
                    feed=UNKNOWN_FEED,
                    sender="",
                    business_date=None,
                    seq=0,
                    batch_id="",
                    status="rejected",
                    reason_code="unknown_feed",
                    message=f"{delivered.path.rsplit('/', 1)[-1]}: {reason}",
                    rows_in=0,
                    rows_malformed=0,
                    rows_loaded=0,
                    rows_flagged=0,
                    rows_warned=0,
                    bytes=delivered.size,
                    file_format=delivered.path.rsplit(".", 1)[-1].lower(),
                    encoding="",
                    file_mtime=delivered.mtime,
                    duplicate_of="",
                    superseded_by="",
                    decided_at=dt.datetime.now(dt.UTC),
                    run_id=run_id or new_run_id(),
                )
            )
    if entries:
        (ledger.root / UNKNOWN_FEED).mkdir(parents=True, exist_ok=True)
        ledger.append(UNKNOWN_FEED, entries[0].run_id, entries)
        log.warning("%d files outside any feed folder rejected", len(entries))
    seconds = (dt.datetime.now(dt.UTC) - start).total_seconds()
    statuses = {"rejected": len(entries)} if entries else {}
    return FeedReport(UNKNOWN_FEED, len(entries), statuses, seconds)
