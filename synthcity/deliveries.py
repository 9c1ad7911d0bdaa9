"""Feed frames to files in the inbox, the way institutions deliver them.

Rows are grouped into one file per sender and business date
(``<feed>_<institution>_<YYYYMMDD>[_<seq>].<ext>`` under ``<inbox>/<feed>/<YYYYMM>/``).
Each sender's system has its own habits (encoding, BOM, line ends, column
order, extra columns, date format); some files are broken on purpose.  Every
file written and every deliberate deviation goes to the delivery log, which
becomes the ground truth.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from .codes import id_check_char
from .config import CityConfig, from_day
from .contract import FEEDS, Feed
from .dates import NEVER
from .render import RowDefects, bad_check, csv_field, render_frame, replace_rows

# columns typed by people: the only ones that may need CSV quoting
FREE_TEXT = frozenset(
    {
        "姓名",
        "新生儿姓名",
        "儿童姓名",
        "幼儿姓名",
        "学生姓名",
        "机构名称",
        "团队名称",
        "幼儿园名称",
        "学校名称",
        "班级",
    }
)
EXTRA_COLUMNS = {
    "备注": ("", "无", "家长陪同", "复查,已电话告知", '家长称"看不清黑板"', "外院,已转"),
    "数据来源": ("HIS", "公卫系统", "妇幼系统"),
}

# what the contract says becomes of each kind of file (see edge-rules.md, Files)
EXPECTED_OUTCOME = {
    "normal": "loaded",
    "history": "loaded",
    "correction": "loaded",
    "bad_id_batch": "rejected",
    "duplicate": "duplicate",
    "missing_required_column": "rejected",
    "unknown_institution": "rejected",
    "truncated": "loaded",
    "empty": "rejected",
    "bad_file_name": "rejected",
}


@dataclass(frozen=True)
class SenderHabits:
    encoding: str  # utf-8 | utf-8-sig | gb18030
    line_end: str
    date_style: int  # 0 YYYY-MM-DD, 1 YYYYMMDD, 2 YYYY/MM/DD
    shuffled: bool
    extra_columns: tuple[str, ...]


@dataclass
class DeliveryLog:
    """What one writer wrote. File ids are local to the log until :func:`merge_logs`."""

    files: list[dict[str, object]] = field(default_factory=list)
    rows: list[pd.DataFrame] = field(default_factory=list)  # file_id, row, record
    defects: list[pd.DataFrame] = field(default_factory=list)  # file_id, row, column, kind, ...

    def next_id(self) -> int:
        return len(self.files)


FILE_ORDER = ["feed", "business_day", "sender", "seq", "path"]


def merge_logs(logs: list[DeliveryLog]) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """All files of all writers, numbered in one order that does not depend on who wrote first.

    Returns the file table and, per log, the array mapping its local ids to
    the final ones. Every byte-identical copy is marked a duplicate of the
    first copy (edge rule 4: the first in order of feed, business date,
    institution, sequence, path is the delivery); unchanged monthly registry
    snapshots are such copies too.
    """
    parts = [pd.DataFrame(log.files).assign(_log=i) for i, log in enumerate(logs) if log.files]
    files = pd.concat(parts, ignore_index=True).sort_values(FILE_ORDER, kind="stable")
    files = files.reset_index(drop=True)
    local_to_final = [np.full(len(log.files), -1, dtype=np.int64) for log in logs]
    for final, (log_index, local) in enumerate(zip(files["_log"], files["file_id"], strict=True)):
        local_to_final[log_index][local] = final
    files["duplicate_of"] = [
        local_to_final[log_index][dup] if dup >= 0 else -1
        for log_index, dup in zip(files["_log"], files["duplicate_of"], strict=True)
    ]
    files["file_id"] = np.arange(len(files))
    first = files.groupby("sha256")["file_id"].transform("first")
    copies = files.index[files["file_id"] != first]
    files.loc[copies, "duplicate_of"] = first.loc[copies]
    files.loc[copies, "expected"] = "duplicate"
    return files.drop(columns="_log"), local_to_final


LINES_PER_CHUNK = 250_000  # rows rendered to text at a time: bounds memory for 9 M-row files


def _csv_bytes(
    layout: list[str], columns: dict[str, pa.Array], s: int, e: int, line_end: str
) -> tuple[memoryview, np.ndarray]:
    """The CSV lines of rows ``s``..``e``: one UTF-8 buffer and each line's start offset."""
    fields = [
        csv_field(columns[h].slice(s, e - s), h in FREE_TEXT or h in EXTRA_COLUMNS) for h in layout
    ]
    lines = pc.binary_join_element_wise(*fields, ",")
    lines = pc.binary_join_element_wise(lines, pa.scalar(line_end), "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    return memoryview(lines.buffers()[2]), offsets


BLOCK_ROWS = 1_000_000  # rows rendered per block (a block ends at a file end where it can)


def _blocks(ends: np.ndarray, n: int) -> Iterator[tuple[int, int]]:
    """Row blocks of about BLOCK_ROWS that end at a file end, unless one file is larger."""
    lo = 0
    while lo < n:
        cut = int(np.searchsorted(ends, lo + BLOCK_ROWS, side="right")) - 1
        hi = int(ends[cut]) if cut >= 0 and ends[cut] > lo else min(n, lo + BLOCK_ROWS)
        yield lo, hi
        lo = hi


def _runs(senders: np.ndarray, first: int, last: int) -> Iterator[tuple[int, int]]:
    """Files ``first``..``last`` in runs of one sender: (first file, end file)."""
    f = first
    while f < last:
        g = f + 1
        while g < last and senders[g] == senders[f]:
            g += 1
        yield f, g
        f = g


@dataclass(frozen=True)
class Files:
    """The files of one write: row ranges and, per file, sender, business day, sequence, tag."""

    starts: np.ndarray
    ends: np.ndarray
    sender: np.ndarray
    day: np.ndarray
    seq: np.ndarray
    tag: np.ndarray


class _Sink:
    """One delivery file being written: encodes UTF-8 chunks and hashes what it writes."""

    def __init__(self, path: Path, encoding: str, entry: dict[str, object]) -> None:
        self.out = path.open("wb")
        self.encoding = encoding
        self.entry = entry
        self.digest = hashlib.sha256()
        self.size = 0
        if encoding == "utf-8-sig":
            self._put(b"\xef\xbb\xbf")

    def write(self, chunk: bytes) -> None:
        """``chunk`` must end at a line end (it is re-encoded on its own)."""
        if self.encoding == "gb18030":
            chunk = chunk.decode("utf-8").encode("gb18030")
        self._put(chunk)

    def _put(self, data: bytes) -> None:
        self.digest.update(data)
        self.out.write(data)
        self.size += len(data)


@dataclass(frozen=True)
class FilePlan:
    """Which files of a feed get which file-level defect.

    Decided once per feed from the file keys alone, so a feed can then be
    written in several jobs (by business days) with the same result.
    Frames hold ``_sender``, ``_business_day`` and, for ``defects``, ``kind``.
    """

    defects: pd.DataFrame  # in place (missing column, truncated, bad IDs) or extra copies
    history_senders: frozenset[str]  # senders whose first-day file is their history load
    history_day: int
    resends: pd.DataFrame  # byte-identical re-deliveries of a file
    empties: pd.DataFrame  # header-only files

    @classmethod
    def none(cls) -> FilePlan:
        empty = pd.DataFrame(
            {"_sender": pd.Series([], dtype=object), "_business_day": pd.Series([], dtype=np.int64)}
        )
        return cls(empty.assign(kind=pd.Series([], dtype=object)), frozenset(), -1, empty, empty)


IN_PLACE = ("missing_required_column", "truncated", "bad_id_batch")
BAD_BATCH_SHARE = 0.35  # of a bad-ID batch's canonical IDs, given a broken check character
BAD_BATCH_MIN_ROWS = 5  # edge rule 3 rejects a file only from 5 broken rows on
BAD_BATCH_FILE_ROWS = 12  # files smaller than this never get the defect
COPIES = ("correction", "unknown_institution", "bad_file_name")


def plan_files(config: CityConfig, feed: Feed, frame: pd.DataFrame) -> FilePlan:
    """Pick the files that get each file-level defect (each enabled one at least once)."""
    if feed.name == "population" or frame.empty:
        return FilePlan.none()
    rng = config.rng("file-defects:" + feed.name)
    r = config.defects
    # a sender's first-day file that carries rows updated before the period is its history load
    first_day = frame["_business_day"] == config.start_day
    history_senders = frozenset(
        frame.loc[first_day & (frame["_update_day"] < config.start_day), "_sender"].unique()
    )
    sizes = frame.groupby(["_sender", "_business_day"], sort=True).size().rename("rows")
    files = sizes.reset_index()
    ordinary = ~(
        files["_sender"].isin(history_senders) & (files["_business_day"] == config.start_day)
    )
    candidates = files[ordinary & (files["rows"] >= 2)].reset_index(drop=True)
    picks = []
    taken = np.zeros(len(candidates), dtype=bool)
    rates = {
        "correction": r.corrected_redelivery,
        "unknown_institution": r.unknown_institution,
        "bad_file_name": r.bad_file_name,
        "missing_required_column": r.missing_required_column,
        "truncated": r.truncated_file,
        "bad_id_batch": r.bad_id_batch,
    }
    # a bad-ID batch must break the row rule of edge rule 3 (> 5% and at least 5 rows):
    # a required ID column and enough rows to corrupt BAD_BATCH_MIN_ROWS of them
    has_required_id = any(c.kind == "id" and c.required for c in feed.columns)
    for kind, rate in rates.items():
        if rate <= 0 or (kind == "truncated" and feed.file_format == "xlsx") or not len(candidates):
            continue
        eligible = ~taken
        if kind == "bad_id_batch":
            eligible &= (candidates["rows"] >= BAD_BATCH_FILE_ROWS).to_numpy() & has_required_id
        chosen = (rng.random(len(candidates)) < rate) & eligible
        if not chosen.any() and eligible.any():  # every enabled defect appears at least once
            free = np.flatnonzero(eligible)
            chosen[free[rng.integers(0, len(free))]] = True
        taken |= chosen
        picks.append(candidates.loc[chosen, ["_sender", "_business_day"]].assign(kind=kind))
    defects = pd.concat(picks, ignore_index=True) if picks else FilePlan.none().defects
    plain = candidates.loc[~taken, ["_sender", "_business_day"]].reset_index(drop=True)

    def some(rate: float) -> pd.DataFrame:
        if rate <= 0 or plain.empty:
            return FilePlan.none().resends
        n = min(len(plain), max(1, int(rng.binomial(len(plain), rate))))
        return plain.iloc[np.sort(rng.choice(len(plain), size=n, replace=False))]

    resends = some(r.duplicate_file)
    # a header-only file the day after a delivery; one per sender (two would be byte-equal)
    empties = some(r.empty_file).drop_duplicates("_sender")
    empties = empties.assign(_business_day=empties["_business_day"] + 1)
    existing = pd.MultiIndex.from_frame(files[["_sender", "_business_day"]])
    clash = pd.MultiIndex.from_frame(empties[["_sender", "_business_day"]]).isin(existing)
    empties = empties[~clash & (empties["_business_day"] <= config.end_day)]
    return FilePlan(
        defects,
        history_senders,
        config.start_day,
        resends.reset_index(drop=True),
        empties.reset_index(drop=True),
    )


def apply_plan(frame: pd.DataFrame, plan: FilePlan, unregistered_code: str) -> pd.DataFrame:
    """Tag each row with its file's defect and add the rows of corrected and misdirected copies."""
    frame = frame.assign(_seq=1, _tag="normal")
    history = frame["_sender"].isin(list(plan.history_senders)) & (
        frame["_business_day"] == plan.history_day
    )
    frame.loc[history, "_tag"] = "history"
    keys = pd.MultiIndex.from_frame(frame[["_sender", "_business_day"]])
    extra = []
    for kind, picked in plan.defects.groupby("kind", sort=False):
        hit = keys.isin(pd.MultiIndex.from_frame(picked[["_sender", "_business_day"]]))
        if not hit.any():
            continue
        if kind in IN_PLACE:
            frame.loc[hit, "_tag"] = kind
            continue
        rows = frame[hit].copy()
        rows["_tag"] = kind
        rows["_record"] = rows["_record"] + ":" + str(kind)
        by_file = rows.groupby(["_sender", "_business_day"])
        if kind in ("unknown_institution", "bad_file_name"):
            # not a byte copy of the original: these are rejected, not duplicates (edge rule 4)
            rows = rows.drop(index=by_file.head(1).index)
        if kind == "correction":
            # the corrected file drops its last row and re-stamps its first an hour later
            rows["_seq"] = 2
            rows = rows.drop(index=by_file.tail(1).index)
            first = rows.groupby(["_sender", "_business_day"]).head(1).index
            rows.loc[first, "_update_second"] = np.minimum(
                rows.loc[first, "_update_second"] + 3600, 86399
            )
        elif kind == "unknown_institution":
            rows["_sender"] = unregistered_code
        extra.append(rows)
    return pd.concat([frame, *extra], ignore_index=True) if extra else frame


class InboxWriter:
    """Writes feed frames as delivery files and logs what it wrote."""

    def __init__(
        self, config: CityConfig, persons: pd.DataFrame, inbox: Path, unregistered_code: str
    ) -> None:
        self.config = config
        self.rates = config.defects
        self.persons = persons
        self.inbox = inbox
        self.unregistered_code = unregistered_code
        self.log = DeliveryLog()
        self.habits: dict[str, SenderHabits] = {}
        self.folders: set[Path] = set()
        self.person_u: dict[str, np.ndarray] = {}

    # -- sender habits ---------------------------------------------------------------
    def habits_of(self, feed: Feed, sender: str) -> SenderHabits:
        key = f"{feed.name}:{sender}"
        if key not in self.habits:
            rng = self.config.rng("habits:" + key)
            r = self.rates
            u = rng.random(6)
            encoding = (
                "gb18030"
                if u[0] < r.gb18030_file
                else "utf-8-sig"
                if u[0] < r.gb18030_file + r.bom_file
                else "utf-8"
            )
            extras = tuple(c for c in EXTRA_COLUMNS if u[4] < r.extra_column and rng.random() < 0.7)
            self.habits[key] = SenderHabits(
                encoding=encoding,
                line_end="\r\n" if u[1] < r.crlf_file else "\n",
                date_style=0 if u[2] < 0.8 else int(rng.integers(1, 3)),
                shuffled=bool(u[3] < r.shuffled_columns),
                extra_columns=extras,
            )
        return self.habits[key]

    def _person_u(self, feed: str) -> np.ndarray:
        if feed not in self.person_u:
            self.person_u[feed] = self.config.rng("person-form:" + feed).random(len(self.persons))
        return self.person_u[feed]

    # -- writing ----------------------------------------------------------------------
    def write(self, feed_name: str, frame: pd.DataFrame, plan: FilePlan) -> None:
        """Write every file of ``frame`` (a feed, or the business days of it one job covers)."""
        feed = FEEDS[feed_name]
        if frame.empty:
            return
        frame = apply_plan(frame, plan, self.unregistered_code)
        sender_code = pd.factorize(frame["_sender"], sort=True)[0]
        tag_code = pd.factorize(frame["_tag"], sort=True)[0]
        day, seq = frame["_business_day"].to_numpy(), frame["_seq"].to_numpy()
        order = np.lexsort((tag_code, seq, day, sender_code))
        if (order != np.arange(len(order))).any():
            frame = frame.take(order).reset_index(drop=True)
            sender_code, tag_code, day, seq = (a[order] for a in (sender_code, tag_code, day, seq))
        rng = self.config.rng("rows:" + feed_name + ":" + str(int(day.min())))
        senders = frame["_sender"].to_numpy()
        sender_starts = np.flatnonzero(np.append(True, sender_code[1:] != sender_code[:-1]))
        # one habits lookup per sender, not per row
        sender_style = [self.habits_of(feed, str(senders[a])).date_style for a in sender_starts]
        style = np.repeat(sender_style, np.diff(np.append(sender_starts, len(frame))))
        boundary = np.ones(len(frame), dtype=bool)
        boundary[1:] = (
            (sender_code[1:] != sender_code[:-1])
            | (day[1:] != day[:-1])
            | (seq[1:] != seq[:-1])
            | (tag_code[1:] != tag_code[:-1])
        )
        starts = np.flatnonzero(boundary)
        ends = np.append(starts[1:], len(frame))
        file_ids = np.full(len(starts), -1, dtype=np.int64)
        # per file, not per row: converting millions of Arrow strings to Python is slow
        files = Files(
            starts,
            ends,
            frame["_sender"].iloc[starts].to_numpy(dtype=object),
            day[starts],
            seq[starts],
            frame["_tag"].iloc[starts].to_numpy(dtype=object),
        )
        sinks: dict[int, _Sink] = {}
        found = []
        # render a block of rows at a time: a 9 M-row snapshot never sits in memory as text
        one_block = feed.file_format == "xlsx"
        for lo, hi in [(0, len(frame))] if one_block else _blocks(ends, len(frame)):
            block = frame.iloc[lo:hi]
            texts, defects = render_frame(
                feed, block, self.persons, style[lo:hi], rng, self.rates, self._person_u(feed_name)
            )
            bad_batch = np.flatnonzero((block["_tag"] == "bad_id_batch").to_numpy())
            id_columns = [c.header for c in feed.columns if c.kind == "id" and c.required]
            if len(bad_batch) and id_columns:
                # one file at a time: each must reach the rule's minimum on its own
                file_of = block[["_sender", "_business_day"]].iloc[bad_batch]
                for rows in file_of.groupby(["_sender", "_business_day"]).indices.values():
                    texts, defects = self._corrupt_batch(
                        texts, defects, id_columns[0], bad_batch[rows], rng
                    )
            table = defects.frame()
            found.append(table.assign(row=table["row"] + lo))
            if one_block:
                file_ids = self._write_xlsx(feed, frame, texts, starts, ends, rng)
            else:
                self._write_csv(feed, texts, lo, hi, files, rng, sinks, file_ids)
        self._log_rows(feed, frame, starts, ends, file_ids, pd.concat(found, ignore_index=True))
        self._resends_and_empties(feed, plan, int(day.min()), int(day.max()))

    def _log_rows(
        self,
        feed: Feed,
        frame: pd.DataFrame,
        starts: np.ndarray,
        ends: np.ndarray,
        file_ids: np.ndarray,
        found: pd.DataFrame,
    ) -> None:
        """Which record each data row carries, and the deviations, by file and row (1-based)."""
        sizes = ends - starts
        local = np.repeat(np.arange(len(starts)), sizes)
        row_in_file = np.arange(len(frame)) - starts[local] + 1
        if feed.name != "population":  # a population file's row r is its r-th person by pid
            self.log.rows.append(
                pd.DataFrame(
                    {
                        "file_id": file_ids[local].astype(np.int32),
                        "row": row_in_file.astype(np.int32),
                        "record": frame["_record"].to_numpy(),
                    }
                )
            )
        if len(found):
            at = found["row"].to_numpy()
            self.log.defects.append(found.assign(file_id=file_ids[local[at]], row=row_in_file[at]))

    def _corrupt_batch(
        self,
        texts: dict[str, pa.Array],
        defects: RowDefects,
        column: str,
        rows: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[dict[str, pa.Array], RowDefects]:
        values = texts[column].take(pa.array(rows)).to_pylist()
        # only canonical 18-character IDs: a 15-digit one has no check character to break
        # ... and a valid one: breaking an already broken check character could mend it
        canonical = np.array(
            [
                bool(v)
                and len(v) == 18
                and v.isascii()
                and v[:17].isdigit()
                and id_check_char(v[:17]) == v[17]
                for v in values
            ],
            bool,
        )
        chosen_at = np.flatnonzero(canonical & (rng.random(len(rows)) < BAD_BATCH_SHARE))
        if len(chosen_at) < BAD_BATCH_MIN_ROWS:  # small file: still enough to break the rule
            spare = np.setdiff1d(np.flatnonzero(canonical), chosen_at)
            extra = rng.permutation(spare)[: BAD_BATCH_MIN_ROWS - len(chosen_at)]
            chosen_at = np.sort(np.concatenate([chosen_at, extra]))
        chosen = rows[chosen_at]
        new = [bad_check(values[i], rng) for i in chosen_at]
        texts[column] = replace_rows(texts[column], chosen, new)
        defects.add(chosen, column, "id_bad_check_batch", new)
        return texts, defects

    def _file_name(self, feed: Feed, sender: str, day: int, seq: int, tag: str) -> str:
        date = from_day(day).strftime("%Y%m%d")
        if tag == "bad_file_name":
            # an impossible business date: the 31st of a 30-day month, else a malformed name
            d = from_day(day)
            return (
                f"{feed.name}_{sender}_{d:%Y}0431.{feed.file_format}"
                if d.month != 4
                else f"{feed.name}-{sender}-{date}.{feed.file_format}"
            )
        suffix = f"_{seq}" if seq > 1 else ""
        return f"{feed.name}_{sender}_{date}{suffix}.{feed.file_format}"

    def _layout(self, feed: Feed, habits: SenderHabits, sender: str) -> list[str]:
        headers = feed.headers + list(habits.extra_columns)
        if habits.shuffled:
            order = self.config.rng("layout:" + feed.name + sender).permutation(len(headers))
            headers = [headers[i] for i in order]
        return headers

    def _extra_values(self, name: str, n: int, rng: np.random.Generator) -> pa.Array:
        choices = EXTRA_COLUMNS[name]
        return pa.array(list(choices)).take(pa.array(rng.integers(0, len(choices), n)))

    def _write_csv(
        self,
        feed: Feed,
        texts: dict[str, pa.Array],
        lo: int,
        hi: int,
        files: Files,
        rng: np.random.Generator,
        sinks: dict[int, _Sink],
        file_ids: np.ndarray,
    ) -> None:
        """Write the rows ``lo``..``hi`` (rendered as ``texts``); files may span blocks."""
        starts, ends = files.starts, files.ends
        first = int(np.searchsorted(ends, lo, side="right"))
        last = int(np.searchsorted(starts, hi))
        for f0, f1 in _runs(files.sender, first, last):
            a, b = max(int(starts[f0]), lo), min(int(ends[f1 - 1]), hi)  # the sender's rows here
            sender = str(files.sender[f0])
            habits = self.habits_of(feed, sender)
            layout = self._layout(feed, habits, sender)
            columns = {
                h: texts[h].slice(a - lo, b - a)
                if h in texts
                else self._extra_values(h, b - a, rng)
                for h in layout
            }
            header = (",".join(layout) + habits.line_end).encode()
            # lines of many files are joined at once; each file takes its slice of the bytes
            for c0 in range(a, b, LINES_PER_CHUNK):
                c1 = min(b, c0 + LINES_PER_CHUNK)
                data, offsets = _csv_bytes(layout, columns, c0 - a, c1 - a, habits.line_end)
                g0 = int(np.searchsorted(ends, c0, side="right"))
                g1 = int(np.searchsorted(starts, c1))
                for f in range(max(f0, g0), min(f1, g1)):
                    s, e = max(int(starts[f]), c0), min(int(ends[f]), c1)
                    tag, day, seq = str(files.tag[f]), int(files.day[f]), int(files.seq[f])
                    if tag in ("missing_required_column", "truncated"):  # small, never split
                        content, detail = self._broken_file(
                            feed, layout, columns, s - a, e - a, habits, tag
                        )
                        sink = self._open(feed, sender, day, seq, tag, habits, detail)
                        sink.write(content)
                        file_ids[f] = self._close(sink, int(ends[f] - starts[f]))
                        continue
                    if f not in sinks:
                        sinks[f] = self._open(feed, sender, day, seq, tag, habits)
                        sinks[f].write(header)
                    sinks[f].write(bytes(data[offsets[s - c0] : offsets[e - c0]]))
                    if ends[f] <= c1 and ends[f] <= hi:
                        file_ids[f] = self._close(sinks.pop(f), int(ends[f] - starts[f]))

    def _broken_file(
        self,
        feed: Feed,
        layout: list[str],
        columns: dict[str, pa.Array],
        s: int,
        e: int,
        habits: SenderHabits,
        tag: str,
    ) -> tuple[bytes, str]:
        """A file missing a required column, or one whose transfer broke off mid-line."""
        if tag == "missing_required_column":
            required = [h for h in feed.required if h not in feed.key and h != "更新时间"]
            dropped = (required or feed.required)[len(layout) % len(required or feed.required)]
            kept = [h for h in layout if h != dropped]
            data, offsets = _csv_bytes(kept, columns, s, e, habits.line_end)
            body = bytes(data[offsets[0] : offsets[-1]])
            return (",".join(kept) + habits.line_end).encode() + body, dropped
        data, offsets = _csv_bytes(layout, columns, s, e, habits.line_end)
        body = bytes(data[offsets[0] : offsets[-1]])
        text = ((",".join(layout) + habits.line_end).encode() + body).decode().rstrip("\r\n")
        last_line = text.rsplit("\n", 1)[-1]
        return text[: len(text) - max(1, len(last_line) // 2)].encode(), ""

    def _open(
        self,
        feed: Feed,
        sender: str,
        day: int,
        seq: int,
        tag: str,
        habits: SenderHabits,
        detail: str = "",
        encode: bool = True,
    ) -> _Sink:
        folder = self.inbox / feed.name / from_day(day).strftime("%Y%m")
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        path = folder / self._file_name(feed, sender, day, seq, tag)
        entry = {
            "path": str(path.relative_to(self.inbox)),
            "feed": feed.name,
            "sender": sender,
            "business_day": day,
            "seq": seq,
            "format": feed.file_format,
            "encoding": habits.encoding if encode else "xlsx",
            "line_end": "crlf" if habits.line_end == "\r\n" else "lf",
            "defect": tag,
            "defect_detail": detail,
            "expected": EXPECTED_OUTCOME[tag],
            "malformed_rows": 1 if tag == "truncated" else 0,
            "duplicate_of": -1,
        }
        return _Sink(path, habits.encoding if encode else "binary", entry)

    def _close(self, sink: _Sink, data_rows: int) -> int:
        """Finish a file and log it; returns its id."""
        sink.out.close()
        file_id = self.log.next_id()
        self.log.files.append(
            {
                "file_id": file_id,
                **sink.entry,
                "data_rows": data_rows,
                "sha256": sink.digest.hexdigest(),
                "bytes": sink.size,
            }
        )
        return file_id

    def _emit(
        self,
        feed: Feed,
        sender: str,
        day: int,
        seq: int,
        tag: str,
        content: bytes,
        habits: SenderHabits,
        data_rows: int,
        detail: str = "",
        encode: bool = True,
    ) -> int:
        """Write a whole file at once (XLSX, header-only files)."""
        sink = self._open(feed, sender, day, seq, tag, habits, detail, encode)
        sink.write(content)
        return self._close(sink, data_rows)

    def _resends_and_empties(
        self, feed: Feed, plan: FilePlan, first_day: int, last_day: int
    ) -> None:
        """The plan's byte-identical re-sends and header-only files among these business days."""
        written = {
            (f["sender"], f["business_day"]): f
            for f in self.log.files
            if f["feed"] == feed.name and f["defect"] == "normal"
        }
        for sender, day in plan.resends[["_sender", "_business_day"]].itertuples(index=False):
            src = written.get((sender, day))
            if src is None:
                continue  # written by the job that covers that day
            source = self.inbox / str(src["path"])
            target = self.inbox / feed.name / "resend" / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            self.log.files.append(
                {
                    **src,
                    "file_id": self.log.next_id(),
                    "path": str(target.relative_to(self.inbox)),
                    "defect": "duplicate",
                    "expected": "duplicate",
                    "duplicate_of": src["file_id"],
                }
            )
        for sender, day in plan.empties[["_sender", "_business_day"]].itertuples(index=False):
            if first_day <= day <= last_day:
                habits = self.habits_of(feed, sender)
                header = ",".join(self._layout(feed, habits, sender)) + habits.line_end
                self._emit(feed, sender, int(day), 1, "empty", header.encode(), habits, 0)

    def _write_xlsx(
        self,
        feed: Feed,
        frame: pd.DataFrame,
        texts: dict[str, pa.Array],
        starts: np.ndarray,
        ends: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        date_columns = {c.header for c in feed.columns if c.kind == "date"}
        file_ids = np.full(len(starts), -1, dtype=np.int64)
        for f, (s, e) in enumerate(zip(starts, ends, strict=True)):
            sender = str(frame["_sender"].iloc[s])
            day = int(frame["_business_day"].iloc[s])
            habits = self.habits_of(feed, sender)
            layout = self._layout(feed, habits, sender)
            tag = str(frame["_tag"].iloc[s])
            dropped = ""
            if tag == "missing_required_column":
                dropped = [h for h in feed.required if h not in feed.key][0]
                layout = [h for h in layout if h != dropped]
            title = rng.random() < self.rates.xlsx_title_row
            real_dates = rng.random() < 0.5
            buffer = io.BytesIO()
            book = xlsxwriter.Workbook(
                buffer,
                {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
            )
            book.set_properties({"created": dt.datetime(2026, 1, 1)})
            sheet = book.add_worksheet("名册")
            date_format = book.add_format({"num_format": "yyyy-mm-dd"})
            row = 0
            if title:
                sheet.write(
                    0,
                    0,
                    f"徐州市{'在园幼儿' if feed.name == 'kg_roster' else '小学一年级新生'}名册"
                    f"（{from_day(day):%Y年%m月%d日}）",
                )
                row = 2  # a title and an empty row above the header
            sheet.write_row(row, 0, layout)
            columns = [
                texts[h].slice(s, e - s).to_pylist()
                if h in texts
                else self._extra_values(h, e - s, rng).to_pylist()
                for h in layout
            ]
            if real_dates:  # real date cells instead of text
                for j, h in enumerate(layout):
                    if h in date_columns:
                        columns[j] = [
                            None if d == NEVER else dt.datetime.combine(from_day(int(d)), dt.time())
                            for d in frame[h].to_numpy()[s:e]
                        ]
            cell_format = date_format if real_dates else None
            for i, values in enumerate(zip(*columns, strict=True)):
                sheet.write_row(row + 1 + i, 0, values, cell_format)
            book.close()
            detail = ";".join(
                x
                for x in (dropped, "title_row" if title else "", "date_cells" if real_dates else "")
                if x
            )
            file_ids[f] = self._emit(
                feed,
                sender,
                day,
                int(frame["_seq"].iloc[s]),
                tag,
                buffer.getvalue(),
                habits,
                e - s,
                detail,
                encode=False,
            )
        return file_ids
