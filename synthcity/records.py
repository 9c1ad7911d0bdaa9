"""Family-doctor teams, health records (居民健康档案), their services, contracts and transfers.

The primary-care side of the city (extract-interface.md §3.2, §3.8-§3.11):
every ``B``/``C`` institution runs family-doctor teams, keeps health records
for the people it serves, signs one-year contracts and asks other
institutions for the records of people who moved in (档随人走).  Institutions
follow the rules imperfectly, in the ways the health-record indicators and
edge rules 10-14 and 23-28 are written for: people with no record or two,
records left behind at a former institution, records of the dead still
active, contracts past their end still marked valid, requests answered late
or never.

Everything is drawn over whole arrays.  Records change through *versions*
(one row of the ``ehr_record`` feed each): a version sets some fields and
keeps the others, and the state of a record on a day is its latest version
on or before that day (edge rule 13).  Later stages (moves, deaths, team
changes) ask the versions so far which records are active where, so each
step sees what the institutions would see.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import CityConfig, to_day
from .contract import FEEDS, META_COLUMNS
from .dates import LONG_AGO, NEVER, add_years
from .geography import Geography
from .people import People
from .reference import GIVEN_CHARS_FEMALE, GIVEN_CHARS_MALE, SURNAMES

RECORDS_SINCE = to_day(dt.date(2009, 1, 1))  # the national record campaign began in 2009
TEAMS_SINCE = to_day(dt.date(2016, 1, 1))
TEAMS_UNTIL = to_day(dt.date(2023, 1, 1))
KEEP = np.iinfo(np.int64).min  # a version field that keeps the value of the previous version
BLANK = -1  # no team
SERVICE_WINDOW = 365  # services are generated for the 365 days before the period too
RESIDENTS_PER_TEAM = 4000
SERVICE_CHUNK = 1_000_000  # active records per batch of service generation

ACTIVE, MOVED_OUT, DEAD, CANCELLED = 1, 2, 3, 4  # 档案状态

RECORD_KINDS = (
    "initial",
    "initial_left_behind",
    "initial_dup_old",
    "initial_dup_new",
    "initial_non_resident",
    "initial_dead",
    "newborn",
    "migrant",
    "late",
    "mover_duplicate",
    "mover_no_record",
)
(
    RK_INITIAL,
    RK_LEFT_BEHIND,
    RK_DUP_OLD,
    RK_DUP_NEW,
    RK_NON_RESIDENT,
    RK_DEAD,
    RK_NEWBORN,
    RK_MIGRANT,
    RK_LATE,
    RK_MOVER_DUP,
    RK_MOVER_NEW,
) = range(len(RECORD_KINDS))

VERSION_CAUSES = (
    "initial",
    "created",
    "transfer_out",
    "transfer_in",
    "team_sync",
    "team_dissolved",
    "dedup",
    "death",
)
(VC_INITIAL, VC_CREATED, VC_OUT, VC_IN, VC_TEAM_SYNC, VC_TEAM_DISSOLVED, VC_DEDUP, VC_DEATH) = (
    range(len(VERSION_CAUSES))
)

CONTRACT_KINDS = (
    "start",
    "previous_term",
    "expired_before_start",
    "new",
    "newborn",
    "migrant",
    "renewal",
    "team_dissolved",
    "mover",
    "switch",
)
(
    CK_START,
    CK_PREVIOUS,
    CK_EXPIRED,
    CK_NEW,
    CK_NEWBORN,
    CK_MIGRANT,
    CK_RENEWAL,
    CK_DISSOLVED,
    CK_MOVER,
    CK_SWITCH,
) = range(len(CONTRACT_KINDS))
CONTRACT_ENDS = (
    "open",
    "cancelled",
    "team_dissolved",
    "moved",
    "death_cancelled",
    "expired_recorded",
    "expired_unrecorded",
)
(CE_OPEN, CE_CANCELLED, CE_DISSOLVED, CE_MOVED, CE_DEATH, CE_EXPIRED, CE_EXPIRED_STALE) = range(
    len(CONTRACT_ENDS)
)

TRANSFER_CAUSES = ("move", "move_back", "switch", "catch_up")
TC_MOVE, TC_MOVE_BACK, TC_SWITCH, TC_CATCH_UP = range(len(TRANSFER_CAUSES))

SERVICE_TYPES = ("01", "02", "03", "04", "05", "06", "99")
ST_CHECK, ST_CHRONIC, ST_CHILD, ST_MATERNAL, ST_OUTPATIENT, ST_EDUCATION, ST_OTHER = range(7)


@dataclass
class HealthRecords:
    """Feed frames (contract headers except 更新时间, plus META_COLUMNS) and the truth.

    Feed frames: ``id`` columns hold the person's pid (int64, -1 blank); ``date``
    columns and ``_business_day``/``_update_day``/``_update_second`` are int32 (days
    since 1970, ``NEVER`` blank); text columns are pandas ``str`` (NaN blank) or, for
    codes drawn from a small set (institution, team, status, type codes), a
    categorical of ``str``.  Rows are sorted by business date, sender, key, version.
    ``_record`` is ``<feed>:<key>:<version>`` (team: ``team:<团队编码>:<business day>``).

    Truth frames, all days as int days since 1970 (``NEVER`` = none):

    - ``teams_truth``: one row per team: team_code, institution_code, team_name,
      created_day, dissolved_day, replaces (the closed team it replaces, or None).
    - ``records_truth``: one row per record: record_no, pid, kind (RECORD_KINDS: why
      the record exists), created_day, creating_institution, and its state at the
      period end: status_at_end, institution_at_end, team_at_end, active_at_end,
      and the lists a worklist would put it on: duplicate_at_end (the person has
      two or more active records), stale_at_end (active, person dead or not a
      resident), misplaced_at_end (active, resident, not at the expected
      institution), expected_institution_at_end.
    - ``record_versions_truth``: one row per ``ehr_record`` row: record (row of
      records_truth), version, pid, update_day, update_second, valid_to_day (the
      next version's update day, NEVER if none), status, institution_code,
      team_code, status_change_day, cause (VERSION_CAUSES), history (delivered in
      the first day's history load).
    - ``contracts_truth``: one row per contract: contract_no, pid, team_code,
      institution_code, sign_day, effective_day, expiry_day, kind (CONTRACT_KINDS),
      end (CONTRACT_ENDS; ``open``: still running at the period end), cancel_day
      (解约日期), end_update_day (更新时间 of the version that ends it, NEVER if
      none; after the period end when it is not delivered), predecessor (row of the
      contract it renews or replaces, -1 none).
    - ``transfers_truth``: one row per request: request_no, record_no, pid,
      out_institution, in_institution, apply_day, reason, cause (TRANSFER_CAUSES),
      cross_district, outcome (0 never answered, 1 agreed, 2 returned),
      reply_day (true 处理日期, NEVER if never), reply_delay (days, -1 never),
      reply_update_day (after the period end: not delivered), reply_without_date
      (the answer leaves 处理日期 blank), escalated (协调转办), escalate_day.
    - ``institutions_truth``: per B/C institution: institution_code, district_code,
      served_at_start, teams, activity (its yearly engagement level for services).
    """

    team: pd.DataFrame
    ehr_record: pd.DataFrame
    ehr_service: pd.DataFrame
    contract: pd.DataFrame
    transfer: pd.DataFrame
    teams_truth: pd.DataFrame
    records_truth: pd.DataFrame
    record_versions_truth: pd.DataFrame
    contracts_truth: pd.DataFrame
    transfers_truth: pd.DataFrame
    institutions_truth: pd.DataFrame

    def feeds(self) -> dict[str, pd.DataFrame]:
        return {
            "team": self.team,
            "ehr_record": self.ehr_record,
            "ehr_service": self.ehr_service,
            "contract": self.contract,
            "transfer": self.transfer,
        }


# -- small array helpers -----------------------------------------------------------------

Cols = dict[str, np.ndarray]


def _cat(parts: list[Cols]) -> Cols:
    parts = [p for p in parts if p]
    keys = list(parts[0])
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def _take(cols: Cols, idx: np.ndarray) -> Cols:
    return {k: v[idx] for k, v in cols.items()}


def _key(pid: np.ndarray, day: np.ndarray) -> np.ndarray:
    """One sortable int64 for (person, day)."""
    d = np.clip(np.asarray(day, dtype=np.int64), -(2**31), 2**31 - 1) + 2**31
    return (np.asarray(pid, dtype=np.int64) << 32) | d


def _rank_in_groups(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within runs of equal values of an already sorted array."""
    n = len(sorted_groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.ones(n, dtype=bool)
    start[1:] = sorted_groups[1:] != sorted_groups[:-1]
    first = np.flatnonzero(start)
    return np.arange(n) - first[np.cumsum(start) - 1]


def _shift_years(days: np.ndarray, years: int) -> np.ndarray:
    """``dates.add_years`` by table: the days of a city span a few thousand values."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return days.copy()
    lo, hi = int(days.min()), int(days.max())
    table = add_years(np.arange(lo, hi + 1), years)
    return table[days - lo]


def _low(values: np.ndarray) -> int:
    """The smallest value (0 for none): an offset that keeps sort keys small."""
    return int(values.min()) if len(values) else 0


def _minus(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The persons of ``a`` not in ``b`` (order of ``a`` kept); persons are 0 … n-1."""
    drop = np.zeros(n, dtype=bool)
    drop[b] = True
    return a[~drop[a]]


def _uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day in [lo, hi] (inclusive) for each row; lo where hi < lo."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo + 1, 1)
    return lo + (rng.random(len(lo)) * span).astype(np.int64)


def _seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(8 * 3600, 18 * 3600, n)


STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' own ``str``: text, NaN = blank
ASCII_CHUNK = 1 << 19  # rows per block: blocks of a few MB


def _text(array: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(array, dtype=STR)


def _codes(codes: np.ndarray, idx: np.ndarray) -> pd.Series:
    """Code texts by index (-1 = blank) as a categorical of ``str``; ``codes`` sorted."""
    codes = np.asarray(codes).astype(str)
    if len(codes) > 1 and not bool((codes[1:] > codes[:-1]).all()):
        raise ValueError("code lists must be sorted and unique")
    small = np.int8 if len(codes) < 127 else np.int16 if len(codes) < 32767 else np.int32
    dtype = pd.CategoricalDtype(pd.Index(codes, dtype=STR))
    return pd.Series(pd.Categorical.from_codes(np.asarray(idx).astype(small), dtype=dtype))


def _labels(codes: np.ndarray, names: tuple[str, ...]) -> pd.Series:
    """Truth labels (a categorical) from their codes."""
    dtype = pd.CategoricalDtype(pd.Index(list(names), dtype=STR))
    return pd.Series(pd.Categorical.from_codes(np.asarray(codes).astype(np.int8), dtype=dtype))


def _take_parts(
    parts: tuple[str | tuple[np.ndarray, int], ...], rows: np.ndarray
) -> list[str | tuple[np.ndarray, int]]:
    return [p if isinstance(p, str) else (np.asarray(p[0])[rows], p[1]) for p in parts]


TENS = np.array([48 + i // 10 for i in range(100)], dtype=np.uint8)  # ASCII of 00…99
ONES = np.array([48 + i % 10 for i in range(100)], dtype=np.uint8)


def _fill_digits(out: np.ndarray, pos: int, values: np.ndarray, width: int, strip: bool) -> None:
    """Write ``values`` as ``width`` ASCII digits into columns pos… of ``out`` (best in
    column order); ``strip``: leading zeros become 0 bytes (dropped later)."""
    if len(values) == 0:
        return
    low, high = int(values.min()), int(values.max())
    if not strip and width > 2 and high - low < min(len(values) // 4, 1 << 16):
        # few distinct values (institutions, streets): write each once, then copy
        table = np.empty((high - low + 1, width), dtype=np.uint8, order="F")
        _fill_digits(table, 0, np.arange(low, high + 1), width, False)
        index = values - low
        for k in range(width):
            out[:, pos + k] = table[:, k][index]
        return
    big = width > 9 or high >= 2**32
    rest: np.ndarray = values.astype(np.uint64 if big else np.uint32)
    hundred = np.asarray(100, dtype=rest.dtype)
    k = width - 1
    while k >= 1 and not strip:  # two digits at a time, last first
        quotient = np.floor_divide(rest, hundred)
        pair = np.subtract(rest, quotient * hundred)
        out[:, pos + k - 1] = TENS[pair]
        out[:, pos + k] = ONES[pair]
        rest = quotient
        k -= 2
    ten = np.asarray(10, dtype=rest.dtype)
    for d in range(k, -1, -1):
        quotient = np.floor_divide(rest, ten)
        digit = np.subtract(rest, quotient * ten).astype(np.uint8) + np.uint8(48)
        if strip and d < width - 1:
            digit[values < 10 ** (width - 1 - d)] = 0
        out[:, pos + d] = digit
        rest = quotient


def _string_array(out: np.ndarray, ok: np.ndarray, variable: bool) -> pa.Array:
    """Rows of a byte matrix as a large_string array (0 bytes dropped if ``variable``)."""
    m, total = out.shape
    if variable:
        keep = (out != 0) & ok[:, None]
        lengths = keep.sum(axis=1)
        data = out[keep]
    else:
        lengths = np.where(ok, total, 0)
        data = (out if ok.all() else out[ok]).ravel()
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    bitmap = None if ok.all() else pa.py_buffer(np.packbits(ok, bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        m, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, int(m - ok.sum())
    )


def _ascii(
    n: int, *parts: str | tuple[np.ndarray, int], valid: np.ndarray | None = None
) -> pd.Series:
    """Text made of literal parts and numbers (``(values, width)``: zero-padded to width;
    width 0: as many digits as needed), written as bytes: millions of ids in a blink."""
    widths = []
    variable = False
    for i, part in enumerate(parts):
        if isinstance(part, str):
            widths.append(len(part.encode("ascii")))
        elif part[1]:
            widths.append(part[1])
        else:
            values = np.asarray(part[0])
            width = max(1, len(str(int(np.max(values, initial=0)))))
            common = len(str(max(int(np.min(values)), 0))) if len(values) else width
            wide = values >= 10**common
            if width > common and wide.mean() < 0.05 and valid is None:
                # a few longer numbers: write all at the common width, then splice those in
                short = np.where(wide, 0, values)
                text = _ascii(n, *parts[:i], (short, 0), *parts[i + 1 :]).array._pa_array
                return _splice(text, wide, _ascii(int(wide.sum()), *_take_parts(parts, wide)))
            widths.append(width)
            # all of one length: no leading zeros to drop
            variable |= bool(len(values)) and int(np.min(values)) < 10 ** (width - 1)
    total = sum(widths)
    chunks = []
    for lo in range(0, max(n, 1), ASCII_CHUNK):
        hi = min(n, lo + ASCII_CHUNK)
        m = hi - lo
        out = np.empty((m, total), dtype=np.uint8, order="F")  # written column by column
        pos = 0
        for part, width in zip(parts, widths, strict=True):
            if isinstance(part, str):
                out[:, pos : pos + width] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
            else:
                values = np.asarray(part[0][lo:hi])
                _fill_digits(out, pos, values, width, variable and part[1] == 0)
            pos += width
        ok = np.ones(m, dtype=bool) if valid is None else np.asarray(valid[lo:hi], dtype=bool)
        chunks.append(_string_array(np.ascontiguousarray(out), ok, variable))
    return _text(pa.chunked_array(chunks, pa.large_string()))


def _splice(text: pa.ChunkedArray, rows: np.ndarray, other: pd.Series) -> pd.Series:
    """``text`` with the rows marked in ``rows`` (bool) replaced by ``other`` in order."""
    replaced = pc.replace_with_mask(
        text.combine_chunks(), pa.array(rows), other.array._pa_array.combine_chunks()
    )
    return _text(replaced)


def _ids(
    n: int, key: list[str | tuple[np.ndarray, int]], prefix: str, version: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """A key (fixed-width parts) and its rows' ``_record`` ids, prefix + key + ``:`` +
    version, written together."""
    widths = [len(p) if isinstance(p, str) else p[1] for p in key]
    total = sum(widths)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    version = np.asarray(version)
    keys, records = [], []
    for lo in range(0, max(n, 1), ASCII_CHUNK):
        hi = min(n, lo + ASCII_CHUNK)
        m = hi - lo
        record = np.empty((m, len(head) + total + 2), dtype=np.uint8, order="F")
        record[:, : len(head)] = head
        out = record[:, len(head) : len(head) + total]
        pos = 0
        for part, width in zip(key, widths, strict=True):
            if isinstance(part, str):
                out[:, pos : pos + width] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
            else:
                _fill_digits(out, pos, np.asarray(part[0][lo:hi]), width, False)
            pos += width
        record[:, -2] = ord(":")
        record[:, -1] = (version[lo:hi] % 10).astype(np.uint8) + np.uint8(48)
        ok = np.ones(m, dtype=bool)
        keys.append(_string_array(np.ascontiguousarray(out), ok, False))
        records.append(_string_array(np.ascontiguousarray(record), ok, False))
    key_text = _text(pa.chunked_array(keys, pa.large_string()))
    record_text = pa.chunked_array(records, pa.large_string())
    wide = version >= 10  # rare: versions 10 and up written apart and spliced in
    if wide.any():
        parts = [prefix, *_take_parts(tuple(key), wide), ":", (version[wide], 0)]
        return key_text, _splice(record_text, wide, _ascii(int(wide.sum()), *parts))
    return key_text, _text(record_text)


class _Intervals:
    """Non-overlapping [lo, hi) day intervals per person, looked up by (person, day)."""

    def __init__(self, pid: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        pid, lo, hi = (np.asarray(a, dtype=np.int64) for a in (pid, lo, hi))
        keys = _key(pid, lo)
        if len(keys) and bool((keys[1:] < keys[:-1]).any()):
            self.order: np.ndarray | None = np.argsort(keys, kind="stable")
            pid, lo, hi, keys = pid[self.order], lo[self.order], hi[self.order], keys[self.order]
        else:  # already sorted (people.residence is): no copies
            self.order = None
        self.pid, self.lo, self.hi, self.keys = pid, lo, hi, keys
        # most people have one interval: found without a search
        n_pid = int(pid.max(initial=-1)) + 1
        self.count = np.bincount(pid, minlength=n_pid).astype(np.int32)
        self.first = np.zeros(n_pid, dtype=np.int64)
        np.cumsum(self.count[:-1], out=self.first[1:])

    def sorted(self, values: np.ndarray) -> np.ndarray:
        """Values given in the original order, in interval (sorted) order."""
        return values if self.order is None else values[self.order]

    def original(self, index: np.ndarray) -> np.ndarray:
        """Sorted positions to positions in the arrays given."""
        return index if self.order is None else self.order[index]

    def find(self, pids: np.ndarray, days: np.ndarray, forward: bool = False) -> np.ndarray:
        """Index (into the arrays given) of the interval holding each day, else -1.

        ``forward``: before a person's first interval, that first interval.
        """
        pids = np.asarray(pids, dtype=np.int64)
        days = np.asarray(days, dtype=np.int64)
        out = np.full(len(pids), -1, dtype=np.int64)
        if len(self.keys) == 0:
            return out
        known = pids < len(self.count)
        count = np.where(known, self.count[np.where(known, pids, 0)], 0)
        one = np.flatnonzero(count == 1)
        first = self.first[pids[one]]
        d = days[one]
        ok = (d < self.hi[first]) & ((self.lo[first] <= d) | forward)
        out[one[ok]] = first[ok]
        many = np.flatnonzero(count > 1)
        if len(many):
            q_pid, q_day = pids[many], days[many]
            pos = np.searchsorted(self.keys, _key(q_pid, q_day), side="right") - 1
            p = np.maximum(pos, 0)
            ok = (pos >= 0) & (self.pid[p] == q_pid) & (q_day < self.hi[p])
            if forward:
                nxt = np.minimum(pos + 1, len(self.keys) - 1)
                before = ~ok & (self.pid[nxt] == q_pid) & (self.lo[nxt] > q_day)
                p = np.where(before, nxt, p)
                ok |= before
            out[many[ok]] = p[ok]
        hit = out >= 0
        out[hit] = self.original(out[hit])
        return out


# -- the city as the institutions see it -------------------------------------------------


@dataclass
class _Ctx:
    config: CityConfig
    start: int
    end: int
    n: int
    birth: np.ndarray
    death: np.ndarray
    sex: np.ndarray
    mother: np.ndarray
    origin: np.ndarray  # codes of people.ORIGIN_NAMES
    since: np.ndarray
    registered: np.ndarray
    bc_code: np.ndarray  # B/C institution codes (object)
    bc_district: np.ndarray  # district index of each B/C institution
    bc_streets: list[np.ndarray]
    district_codes: np.ndarray
    street_inst: np.ndarray  # B/C institution (index) of each street
    street_code: np.ndarray
    res_iv: _Intervals
    res_street: np.ndarray
    res_resident: np.ndarray

    def street_at(self, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
        row = self.res_iv.find(pids, days, forward=True)
        return np.where(row >= 0, self.res_street[np.maximum(row, 0)], -1)

    def resident_at(self, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
        row = self.res_iv.find(pids, days)
        return (row >= 0) & (self.res_resident[np.maximum(row, 0)] == 1)

    def street_inst_at(self, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
        street = self.street_at(pids, days)
        return np.where(street >= 0, self.street_inst[np.maximum(street, 0)], -1)

    def other_inst(
        self, rng: np.random.Generator, inst: np.ndarray, same_district: np.ndarray
    ) -> np.ndarray:
        """Another B/C institution: in the same district where asked and possible."""
        order = np.argsort(self.bc_district, kind="stable")
        pos_of = np.empty(len(order), dtype=np.int64)
        pos_of[order] = np.arange(len(order))
        dist_sorted = self.bc_district[order]
        n_d = int(self.bc_district.max()) + 1
        d_start = np.searchsorted(dist_sorted, np.arange(n_d))
        d_count = np.bincount(self.bc_district, minlength=n_d)
        d = self.bc_district[inst]
        start, count = d_start[d], d_count[d]
        u = rng.random(len(inst))
        same = same_district & (count > 1)
        k = (u * np.where(same, count - 1, len(order) - count)).astype(np.int64)
        pos_same = start + k + (start + k >= pos_of[inst])
        pos_other = np.where(k < start, k, k + count)
        pos = np.where(same, pos_same, pos_other)
        if len(order) == count.max(initial=0):  # a one-district city: stay where it is
            pos = np.where(same, pos, pos_of[inst])
        return order[np.clip(pos, 0, len(order) - 1)]


def _context(config: CityConfig, geo: Geography, people: People) -> _Ctx:
    p = people.persons
    # B/C institutions in code order: an institution's index is its rank (feeds sort by code)
    bc = geo.institutions[geo.institutions["category"].isin(["B", "C"])]
    bc = bc.sort_values("institution_code", kind="stable").reset_index(drop=True)
    bc_code = bc["institution_code"].to_numpy().astype(object)
    district_codes = np.unique(geo.streets["district_code"].to_numpy().astype(str))
    inst_index = {c: i for i, c in enumerate(bc_code)}
    street_inst = np.array([inst_index[c] for c in geo.streets["institution_code"]], dtype=np.int64)
    street_code = geo.streets["street_code"].to_numpy().astype(str)
    bc_streets = [np.flatnonzero(street_inst == i) for i in range(len(bc_code))]
    r = people.residence
    origin = p["origin"].cat.codes.to_numpy().astype(np.int8)
    return _Ctx(
        config=config,
        start=config.start_day,
        end=config.end_day,
        n=len(p),
        birth=np.asarray(p["birth_day"].to_numpy(), dtype=np.int64),  # views, not copies
        death=np.asarray(p["death_day"].to_numpy(), dtype=np.int64),
        sex=np.asarray(p["sex"].to_numpy(), dtype=np.int64),
        mother=np.asarray(p["mother_pid"].to_numpy(), dtype=np.int64),
        origin=origin,
        since=np.asarray(p["since_day"].to_numpy(), dtype=np.int64),
        registered=np.asarray(p["registered_day"].to_numpy(), dtype=np.int64),
        bc_code=bc_code,
        bc_district=np.searchsorted(district_codes, bc["district_code"].to_numpy().astype(str)),
        bc_streets=bc_streets,
        district_codes=district_codes,
        street_inst=street_inst,
        street_code=street_code,
        res_iv=_Intervals(r["pid"].to_numpy(), r["from_day"].to_numpy(), r["to_day"].to_numpy()),
        res_street=np.asarray(r["street_idx"].to_numpy(), dtype=np.int64),
        res_resident=np.asarray(r["resident"].to_numpy(), dtype=np.int64),
    )


# -- teams --------------------------------------------------------------------------------


class _Teams:
    """Teams sorted by institution; random active team of an institution on a day."""

    def __init__(
        self, inst: np.ndarray, created: np.ndarray, dissolved: np.ndarray, n_inst: int
    ) -> None:
        self.inst, self.created, self.dissolved = inst, created, dissolved
        self.first = np.searchsorted(inst, np.arange(n_inst))
        self.count = np.bincount(inst, minlength=n_inst)

    def active(self, team: np.ndarray, day: np.ndarray) -> np.ndarray:
        t = np.maximum(team, 0)
        return (team >= 0) & (self.created[t] <= day) & (day < self.dissolved[t])

    def pick(self, rng: np.random.Generator, inst: np.ndarray, day: np.ndarray) -> np.ndarray:
        out = np.full(len(inst), -1, dtype=np.int64)
        todo = np.arange(len(inst))
        for _ in range(40):
            if len(todo) == 0:
                break
            i = inst[todo]
            cand = self.first[i] + (rng.random(len(todo)) * self.count[i]).astype(np.int64)
            ok = self.active(cand, day[todo])
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
        for k in todo:  # practically never: the first team alive that day, else the newest
            span = np.arange(self.first[inst[k]], self.first[inst[k]] + self.count[inst[k]])
            alive = span[self.active(span, np.full(len(span), day[k]))]
            out[k] = alive[0] if len(alive) else span[-1]
        return out


def _leader_names(rng: np.random.Generator, n: int) -> list[str]:
    surnames = list(SURNAMES)
    chars = list(GIVEN_CHARS_MALE + GIVEN_CHARS_FEMALE)
    s = rng.zipf(1.3, n).clip(1, len(surnames)) - 1
    g1, g2 = rng.integers(0, len(chars), n), rng.integers(0, len(chars), n)
    single = rng.random(n) < 0.3
    return [surnames[s[i]] + chars[g1[i]] + ("" if single[i] else chars[g2[i]]) for i in range(n)]


def _build_teams(ctx: _Ctx, rng: np.random.Generator) -> tuple[pd.DataFrame, _Teams, np.ndarray]:
    n_inst = len(ctx.bc_code)
    r_pid = ctx.res_iv.pid
    at_start = (ctx.res_iv.lo <= ctx.start) & (ctx.start < ctx.res_iv.hi)
    res_rows = ctx.res_iv.original(np.flatnonzero(at_start))
    resident = ctx.res_resident[res_rows] == 1
    street = ctx.res_street[res_rows][resident]
    alive = ctx.death[r_pid[at_start][resident]] > ctx.start
    served = np.bincount(ctx.street_inst[street[alive]], minlength=n_inst)
    n_teams = np.clip(np.round(served / RESIDENTS_PER_TEAM), 2, 12).astype(np.int64)
    inst = np.repeat(np.arange(n_inst), n_teams)
    number = _rank_in_groups(inst) + 1
    created = rng.integers(TEAMS_SINCE, TEAMS_UNTIL, len(inst))
    dissolved = np.full(len(inst), NEVER, dtype=np.int64)
    lo, hi = ctx.start + 20, ctx.end - 60
    if hi > lo:
        # about 5% of teams close during the period (at least one), never an institution's last
        n_dissolve = max(1, round(0.05 * len(inst)))
        closed = np.zeros(n_inst, dtype=np.int64)
        chosen: list[int] = []
        for t in rng.permutation(len(inst)):
            if len(chosen) == n_dissolve:
                break
            if closed[inst[t]] < n_teams[inst[t]] - 1:
                closed[inst[t]] += 1
                chosen.append(int(t))
        dissolved[chosen] = rng.integers(lo, hi + 1, len(chosen))
    # half the closed teams are replaced by a new team the same day
    gone = np.flatnonzero(dissolved < NEVER)
    replaced = gone[rng.random(len(gone)) < 0.5]
    extra_inst = inst[replaced]
    extra_number = np.zeros(len(replaced), dtype=np.int64)
    for k, (i, t) in enumerate(zip(extra_inst, replaced, strict=True)):
        extra_number[k] = n_teams[i] + 1 + int((extra_inst[:k] == i).sum())
        del t
    inst = np.concatenate([inst, extra_inst])
    number = np.concatenate([number, extra_number])
    created = np.concatenate([created, dissolved[replaced]])
    replaces = np.concatenate([np.full(len(dissolved), -1), replaced])
    dissolved = np.concatenate([dissolved, np.full(len(replaced), NEVER)])
    order = np.lexsort((number, inst))
    inst, number, created, dissolved, replaces = (
        a[order] for a in (inst, number, created, dissolved, replaces)
    )
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    replaces = np.where(replaces >= 0, new_pos[np.maximum(replaces, 0)], -1)
    codes = np.array(
        [f"{ctx.bc_code[i]}-T{k:02d}" for i, k in zip(inst, number, strict=True)], dtype=object
    )
    names = np.array(
        [f"{leader}家庭医生团队" for leader in _leader_names(rng, len(inst))], dtype=object
    )
    truth = pd.DataFrame(
        copy=False,
        data={
            "team_code": codes,
            "institution_code": ctx.bc_code[inst],
            "team_name": names,
            "created_day": created,
            "dissolved_day": dissolved,
            "replaces": np.where(replaces >= 0, codes[np.maximum(replaces, 0)], None),
        },
    )
    return truth, _Teams(inst, created, dissolved, n_inst), served


def _team_feed(ctx: _Ctx, geo: Geography, truth: pd.DataFrame) -> pd.DataFrame:
    """The commission's team list on the start day and the first day of every month."""
    first = dt.date(ctx.config.start.year, ctx.config.start.month, 1)
    days = [ctx.start]
    d = first
    while True:
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        if to_day(d) > ctx.end:
            break
        days.append(to_day(d))
    created = truth["created_day"].to_numpy()
    dissolved = truth["dissolved_day"].to_numpy()
    parts = []
    for day in days:
        rows = np.flatnonzero(created <= day)
        parts.append(
            pd.DataFrame(
                copy=False,
                data={
                    "团队编码": truth["team_code"].to_numpy()[rows],
                    "所属机构代码": truth["institution_code"].to_numpy()[rows],
                    "团队名称": truth["team_name"].to_numpy()[rows],
                    "有效标志": np.where(dissolved[rows] > day, "1", "0"),
                    "_sender": geo.commission_code,
                    "_business_day": day,
                    "_update_day": day,
                    "_update_second": 0,
                    "_record": [f"team:{c}:{day}" for c in truth["team_code"].to_numpy()[rows]],
                },
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    for column in ("团队编码", "所属机构代码", "团队名称", "有效标志", "_sender", "_record"):
        frame[column] = frame[column].astype(STR)
    for column in ("_business_day", "_update_day", "_update_second"):
        frame[column] = frame[column].astype(np.int64)
    return frame


# -- moves --------------------------------------------------------------------------------


def _moves(ctx: _Ctx) -> Cols:
    """Street changes during the period: pid, day, from/to street and institution, round."""
    pid, lo = ctx.res_iv.pid, ctx.res_iv.lo
    street = ctx.res_iv.sorted(ctx.res_street)
    change = np.flatnonzero((pid[1:] == pid[:-1]) & (street[1:] != street[:-1]))
    m_pid, m_day = pid[change + 1], lo[change + 1]
    keep = (m_day >= ctx.start) & (m_day <= ctx.end) & (m_day < ctx.death[m_pid])
    change, m_pid, m_day = change[keep], m_pid[keep], m_day[keep]
    frm, to = street[change], street[change + 1]
    first_street = street[np.searchsorted(pid, m_pid)]
    return {
        "pid": m_pid,
        "day": m_day,
        "from_street": frm,
        "to_street": to,
        "from_inst": ctx.street_inst[frm],
        "to_inst": ctx.street_inst[to],
        "round": _rank_in_groups(m_pid),
        "back": to == first_street,
    }


# -- contracts ----------------------------------------------------------------------------


def _contract_cols(
    pid: np.ndarray,
    team: np.ndarray,
    inst: np.ndarray,
    sign: np.ndarray,
    eff: np.ndarray,
    kind: int | np.ndarray,
    prev: np.ndarray | None = None,
) -> Cols:
    n = len(pid)
    eff = np.asarray(eff, dtype=np.int64)
    return {
        "pid": np.asarray(pid, dtype=np.int64),
        "team": np.asarray(team, dtype=np.int64),
        "inst": np.asarray(inst, dtype=np.int64),
        "sign": np.asarray(sign, dtype=np.int64),
        "eff": eff,
        "exp": _shift_years(eff, 1) - 1,
        "kind": np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy(),
        "prev": np.full(n, -1, dtype=np.int64) if prev is None else np.asarray(prev, np.int64),
        "end": np.full(n, CE_OPEN, dtype=np.int64),
        "cancel": np.full(n, NEVER, dtype=np.int64),
        "end_update": np.full(n, NEVER, dtype=np.int64),
    }


def _contract_probability(age: np.ndarray) -> np.ndarray:
    """Share of residents with a valid contract by age (about 40% overall)."""
    return np.select([age < 7, age < 18, age < 65], [0.55, 0.18, 0.36], 0.74)


def _renewal_probability(age: np.ndarray) -> np.ndarray:
    """Share of contracts renewed at their end by age (about 75% overall)."""
    return np.select([age < 7, age < 18, age < 65], [0.8, 0.55, 0.72], 0.88)


def _signing_rate(age: np.ndarray) -> np.ndarray:
    """New contracts per year among the uncontracted, by age: keeps the shares steady."""
    return np.select([age < 7, age < 18, age < 65], [0.3, 0.08, 0.17], 0.45)


def _build_contracts(
    ctx: _Ctx,
    rng: np.random.Generator,
    teams: _Teams,
    moves: Cols,
    start_residents: np.ndarray,
    start_present: np.ndarray,
) -> Cols:
    start, end = ctx.start, ctx.end
    n_inst = len(ctx.bc_code)
    # -- valid on the start day: about 40% of residents, more of the old and the young
    res = start_residents
    age = (start - ctx.birth[res]) // 365.25
    has = rng.random(len(res)) < _contract_probability(age)
    nonres = _minus(start_present, res, ctx.n)
    pid0 = np.concatenate([res[has], nonres[rng.random(len(nonres)) < 0.02]])
    inst0 = ctx.street_inst_at(pid0, np.full(len(pid0), start))
    elsewhere = np.flatnonzero(rng.random(len(pid0)) < 0.04)
    inst0[elsewhere] = ctx.other_inst(rng, inst0[elsewhere], np.ones(len(elsewhere), bool))
    eff0 = np.maximum(start - rng.integers(0, 365, len(pid0)), ctx.birth[pid0] + 30)
    sign0 = eff0 - rng.integers(0, 8, len(pid0))
    team0 = teams.pick(rng, inst0, np.full(len(pid0), start))
    current = _contract_cols(pid0, team0, inst0, sign0, eff0, CK_START)

    # -- the term before (renewed from) and older contracts that ran out before the start
    prev_has = (rng.random(len(pid0)) < 0.35) & (_shift_years(eff0, -1) > ctx.birth[pid0] + 30)
    idx = np.flatnonzero(prev_has)
    p_eff = _shift_years(eff0[idx], -1)
    previous = _contract_cols(
        pid0[idx], team0[idx], inst0[idx], p_eff - rng.integers(0, 8, len(idx)), p_eff, CK_PREVIOUS
    )
    previous["exp"] = eff0[idx] - 1
    current["prev"][idx] = np.arange(len(idx))  # index into `previous`, fixed up below
    without = _minus(res, pid0, ctx.n)
    lapsed = without[(rng.random(len(without)) < 0.05)]
    x_eff = start - 366 - rng.integers(0, 365, len(lapsed))
    ok = x_eff > ctx.birth[lapsed] + 30
    lapsed, x_eff = lapsed[ok], x_eff[ok]
    x_inst = ctx.street_inst_at(lapsed, np.full(len(lapsed), start))
    expired = _contract_cols(
        lapsed,
        teams.pick(rng, x_inst, x_eff),
        x_inst,
        x_eff - rng.integers(0, 8, len(lapsed)),
        x_eff,
        CK_EXPIRED,
    )
    history = _cat([previous, expired])
    stale = rng.random(len(history["pid"])) < 0.2
    history["end"] = np.where(stale, CE_EXPIRED_STALE, CE_EXPIRED)
    history["end_update"] = np.where(
        stale, NEVER, history["exp"] + 1 + rng.integers(0, 31, len(stale))
    )

    # -- new contracts during the period
    years = ctx.config.years
    new = without[
        rng.random(len(without)) < _signing_rate((start - ctx.birth[without]) / 365.25) * years
    ]
    n_sign = _uniform_days(rng, np.full(len(new), start), np.full(len(new), end))
    ok = (n_sign < ctx.death[new]) & ctx.resident_at(new, n_sign)
    new, n_sign = new[ok], n_sign[ok]
    born = np.flatnonzero((ctx.birth >= start - 120) & (ctx.birth <= end) & (ctx.origin == 2))
    born = born[rng.random(len(born)) < 0.3]
    b_sign = ctx.birth[born] + rng.integers(30, 121, len(born))
    ok = (b_sign <= end) & (b_sign < ctx.death[born])
    born, b_sign = born[ok], b_sign[ok]
    migrants = np.flatnonzero(ctx.origin == 3)
    migrants = migrants[rng.random(len(migrants)) < 0.10]
    m_sign = ctx.registered[migrants] + 183 + rng.integers(0, 200, len(migrants))
    ok = (m_sign <= end) & (m_sign < ctx.death[migrants])
    migrants, m_sign = migrants[ok], m_sign[ok]
    late_pid = np.concatenate([new, born, migrants])
    late_sign = np.concatenate([n_sign, b_sign, m_sign])
    late_kind = np.concatenate(
        [
            np.full(len(new), CK_NEW),
            np.full(len(born), CK_NEWBORN),
            np.full(len(migrants), CK_MIGRANT),
        ]
    )
    late_inst = ctx.street_inst_at(late_pid, late_sign)
    ok = late_inst >= 0
    late_pid, late_sign, late_kind, late_inst = (
        a[ok] for a in (late_pid, late_sign, late_kind, late_inst)
    )
    late = _contract_cols(
        late_pid,
        teams.pick(rng, late_inst, late_sign),
        late_inst,
        late_sign,
        late_sign + rng.integers(0, 4, len(late_pid)),
        late_kind,
    )

    # first move to another institution, per person (two rounds at most)
    move_day = np.full((2, ctx.n), NEVER, dtype=np.int64)
    move_inst = np.full((2, ctx.n), -1, dtype=np.int64)
    for k in (0, 1):
        sel = moves["round"] == k
        move_day[k, moves["pid"][sel]] = moves["day"][sel]
        move_inst[k, moves["pid"][sel]] = moves["to_inst"][sel]

    # -- each contract ends one way; the next one (if any) goes round again
    done: list[Cols] = [history]
    n_history = len(history["pid"])
    offset = n_history  # position of `current` rows in the final table
    generation = _cat([current, late])
    generation["prev"] = np.where(
        np.arange(len(generation["pid"])) < len(pid0), generation["prev"], -1
    )
    while len(generation["pid"]):
        g = generation
        m = len(g["pid"])
        pid, team, inst, exp = g["pid"], g["team"], g["inst"], g["exp"]
        first_day = np.maximum(g["sign"], start)
        death = ctx.death[pid]
        lo_c, hi_c = np.maximum(g["eff"], start), np.minimum(exp, end)
        cancel = np.where(
            (rng.random(m) < 0.03) & (hi_c >= lo_c), _uniform_days(rng, lo_c, hi_c), NEVER
        )
        t_end = teams.dissolved[team]
        dissolve = np.where((t_end >= g["sign"]) & (t_end <= exp), t_end, NEVER)
        moved = np.full(m, NEVER, dtype=np.int64)
        for k in (1, 0):
            mk, ik = move_day[k, pid], move_inst[k, pid]
            hit = (mk >= first_day) & (mk <= exp) & (ik != inst) & (ik >= 0)
            moved = np.where(hit, mk, moved)
        resign = np.where(
            (moved < NEVER) & (rng.random(m) < 0.5), moved + rng.integers(10, 121, m), NEVER
        )
        resign = np.where(resign <= exp, resign, NEVER)
        death_cancel = death + rng.integers(10, 91, m)
        death_ev = np.where(
            (death <= exp) & (rng.random(m) < 0.6) & (death_cancel <= exp), death_cancel, NEVER
        )
        events = np.stack([death_ev, cancel, dissolve, resign])
        first = events.min(axis=0)
        which = events.argmin(axis=0)
        ends_early = first <= exp
        recorded = rng.random(m) < 0.8
        exp_update = exp + 1 + rng.integers(0, 31, m)
        g["end"] = np.where(
            ends_early,
            np.array([CE_DEATH, CE_CANCELLED, CE_DISSOLVED, CE_MOVED])[which],
            np.where(recorded, CE_EXPIRED, CE_EXPIRED_STALE),
        )
        g["cancel"] = np.where(ends_early, first, NEVER)
        early_update = np.where(
            which == 1,
            first + rng.integers(0, 4, m),
            np.where(which == 3, first + rng.integers(0, 11, m), first + rng.integers(0, 3, m)),
        )
        early_update = np.where(which == 0, first, early_update)
        g["end_update"] = np.where(ends_early, early_update, np.where(recorded, exp_update, NEVER))
        # still running after the period: no end (yet)
        future = np.where(ends_early, first > end, exp >= end)
        g["end"] = np.where(future, CE_OPEN, g["end"])
        g["cancel"] = np.where(future, NEVER, g["cancel"])
        g["end_update"] = np.where(future, NEVER, g["end_update"])

        # successors
        nxt_sign = np.full(m, NEVER, dtype=np.int64)
        nxt_eff = np.full(m, NEVER, dtype=np.int64)
        nxt_inst = inst.copy()
        nxt_kind = np.full(m, CK_RENEWAL, dtype=np.int64)
        keep_team = np.zeros(m, dtype=bool)
        # a closed team: re-signed with another team of the institution
        dis = ends_early & (which == 2) & (rng.random(m) < 0.9)
        s = first + rng.integers(0, 15, m)
        nxt_sign = np.where(dis, s, nxt_sign)
        nxt_eff = np.where(dis, np.maximum(s + rng.integers(0, 2, m), first + 1), nxt_eff)
        nxt_kind = np.where(dis, CK_DISSOLVED, nxt_kind)
        # moved away: a new contract at the new institution
        mov = ends_early & (which == 3)
        nxt_sign = np.where(mov, first, nxt_sign)
        nxt_eff = np.where(mov, first + 1 + rng.integers(0, 4, m), nxt_eff)
        nxt_kind = np.where(mov, CK_MOVER, nxt_kind)
        # ran its term: three in four renew
        ren = ~ends_early & (rng.random(m) < _renewal_probability((exp - ctx.birth[pid]) / 365.25))
        s = np.maximum(exp - rng.integers(0, 21, m), g["eff"] + 1)
        nxt_sign = np.where(ren, s, nxt_sign)
        nxt_eff = np.where(ren, exp + 1, nxt_eff)
        ok = (nxt_sign <= end) & (nxt_sign < death)
        ok &= ~ren | ctx.resident_at(pid, np.minimum(nxt_sign, end))
        here = ctx.street_inst_at(pid, np.minimum(nxt_sign, end))
        nxt_inst = np.where(mov | ren, here, nxt_inst)
        ok &= nxt_inst >= 0
        nxt_kind = np.where(ren & (nxt_inst != inst), CK_MOVER, nxt_kind)
        switch = ren & (nxt_inst == inst) & (rng.random(m) < 0.04)
        moving = np.flatnonzero(switch)
        nxt_inst[moving] = ctx.other_inst(rng, nxt_inst[moving], np.ones(len(moving), bool))
        nxt_kind = np.where(switch, CK_SWITCH, nxt_kind)
        keep_team = ren & ~switch & (nxt_inst == inst) & (rng.random(m) < 0.92)
        ok &= dis | mov | ren
        rows = np.flatnonzero(ok)
        s_sign = nxt_sign[rows]
        s_inst = nxt_inst[rows]
        s_team = teams.pick(rng, s_inst, s_sign)
        same = keep_team[rows] & teams.active(team[rows], s_sign)
        s_team = np.where(same, team[rows], s_team)
        done.append(g)
        generation = _contract_cols(
            pid[rows], s_team, s_inst, s_sign, nxt_eff[rows], nxt_kind[rows], prev=offset + rows
        )
        offset += m
    contracts = _cat(done)
    # `previous` terms: the start contracts point at them by position in `history`
    n_prev = len(previous["pid"])
    start_rows = np.arange(n_history, n_history + len(pid0))
    pointer = contracts["prev"][start_rows]
    contracts["prev"][start_rows] = np.where(prev_has, pointer, -1)
    del n_prev, n_inst
    return contracts


def _contract_intervals(contracts: Cols) -> tuple[_Intervals, np.ndarray]:
    """Contract terms as [effective, end] intervals (ended early: up to the 解约日期)."""
    hi = np.minimum(contracts["exp"] + 1, contracts["cancel"])
    ok = hi > contracts["eff"]
    rows = np.flatnonzero(ok)
    return _Intervals(contracts["pid"][rows], contracts["eff"][rows], hi[rows]), rows


def _contract_at(
    civ: tuple[_Intervals, np.ndarray], pids: np.ndarray, days: np.ndarray
) -> np.ndarray:
    iv, rows = civ
    hit = iv.find(pids, days)
    return np.where(hit >= 0, rows[np.maximum(hit, 0)], -1)


# -- record versions ----------------------------------------------------------------------


class _Versions:
    """Record versions, kept sorted by record and time; ``state()`` resolves them."""

    FIELDS = ("rec", "day", "sec", "status", "inst", "team", "chg", "cause", "creation")

    def __init__(self) -> None:
        self.base: Cols | None = None
        self.new: list[Cols] = []

    def add(
        self,
        rec: np.ndarray,
        day: np.ndarray,
        sec: np.ndarray,
        status: np.ndarray | int,
        inst: np.ndarray | int,
        team: np.ndarray | int,
        chg: np.ndarray | int,
        cause: int,
        creation: bool = False,
    ) -> None:
        n = len(rec)
        if n == 0:
            return

        def full(v: np.ndarray | int) -> np.ndarray:
            return np.broadcast_to(np.asarray(v, dtype=np.int64), (n,)).copy()

        self.new.append(
            {
                "rec": full(rec),
                "day": full(day),
                "sec": full(sec),
                "status": full(status),
                "inst": full(inst),
                "team": full(team),
                "chg": full(chg),
                "cause": full(cause),
                "creation": full(int(creation)),
            }
        )

    @staticmethod
    def _key(v: Cols) -> np.ndarray:
        # by record, then time; a creation first within its day
        t = (v["day"] - LONG_AGO) * 2 * 86400 + (1 - v["creation"]) * 86400 + v["sec"]
        return (v["rec"] << 35) | t

    def resolve(self) -> Cols:
        """All versions sorted, 更新时间 strictly increasing within a record."""
        if self.new:
            new = _cat(self.new)
            new = _take(new, np.argsort(self._key(new), kind="stable"))
            self.new = []
            if self.base is None:
                self.base = new
            else:
                pos = np.searchsorted(self._key(self.base), self._key(new), side="right")
                self.base = {f: np.insert(self.base[f], pos, new[f]) for f in self.FIELDS}
        assert self.base is not None
        raw = self.base
        same = np.zeros(len(raw["rec"]), dtype=bool)
        same[1:] = (raw["rec"][1:] == raw["rec"][:-1]) & (raw["day"][1:] == raw["day"][:-1])
        clash = same.copy()
        clash[1:] &= raw["sec"][1:] <= raw["sec"][:-1]
        if clash.any():
            rows = np.flatnonzero(same | np.append(same[1:], False))
            group = np.cumsum(~same[rows])
            pos = np.arange(len(rows))
            run_max = pd.Series(raw["sec"][rows] - pos).groupby(group).cummax().to_numpy()
            raw["sec"][rows] = np.minimum(run_max + pos, 86399)
        return raw


@dataclass
class _State:
    """Every version resolved (fields carried forward), with lookups by record and person."""

    rec: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    status: np.ndarray
    inst: np.ndarray
    team: np.ndarray
    chg: np.ndarray
    cause: np.ndarray
    version: np.ndarray
    next: np.ndarray  # update day of the record's next version (NEVER: none)
    lo: np.ndarray  # first day the version holds (a first version: from 建档日期)
    pid: np.ndarray
    created: np.ndarray  # per row: the record's 建档日期
    rec_first: np.ndarray  # versions of record r: rows rec_first[r]:rec_first[r + 1]
    by_pid: np.ndarray  # records sorted by person
    pid_first: np.ndarray  # records of person p: by_pid[pid_first[p]:pid_first[p + 1]]

    def active_rows(self) -> np.ndarray:
        return np.flatnonzero((self.status == ACTIVE) & (self.next > self.lo))

    def candidates(self, pids: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query, row) pairs: every record active for the person on the day, as its row."""
        pids = np.asarray(pids, dtype=np.int64)
        days = np.asarray(days, dtype=np.int64)
        first, count = self.pid_first[pids], self.pid_first[pids + 1] - self.pid_first[pids]
        q = np.repeat(np.arange(len(pids)), count)
        recs = self.by_pid[np.repeat(first, count) + _rank_in_groups(q)]
        first, count = self.rec_first[recs], self.rec_first[recs + 1] - self.rec_first[recs]
        q = np.repeat(q, count)
        rows = np.repeat(first, count) + _rank_in_groups(np.repeat(np.arange(len(recs)), count))
        d = days[q]
        ok = (self.status[rows] == ACTIVE) & (self.lo[rows] <= d) & (d < self.next[rows])
        return q[ok], rows[ok]

    def primary(
        self, pids: np.ndarray, days: np.ndarray, prefer: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The record row an institution would pick per query (at ``prefer``, else the
        newest), the number of active records, and whether one is at ``prefer``."""
        q, rows = self.candidates(pids, days)
        pref = self.inst[rows] == np.asarray(prefer)[q]
        order = np.lexsort((-self.rec[rows], -self.created[rows], ~pref, q))
        q_s, rows_s = q[order], rows[order]
        first = np.ones(len(q_s), dtype=bool)
        first[1:] = q_s[1:] != q_s[:-1]
        primary = np.full(len(pids), -1, dtype=np.int64)
        primary[q_s[first]] = rows_s[first]
        count = np.bincount(q, minlength=len(pids))
        at_pref = np.zeros(len(pids), dtype=bool)
        at_pref[q[pref]] = True
        return primary, count, at_pref


def _after(
    day: np.ndarray, sec: np.ndarray, base_day: np.ndarray, base_sec: np.ndarray
) -> np.ndarray:
    """Seconds that put a new version after the version it follows on the same day."""
    return np.where(day == base_day, np.maximum(sec, np.minimum(base_sec + 60, 86399)), sec)


# -- the generator ------------------------------------------------------------------------


class _Builder:
    def __init__(self, config: CityConfig, geo: Geography, people: People) -> None:
        self.config = config
        self.geo = geo
        self.people = people
        self.ctx = _context(config, geo, people)
        self.versions = _Versions()
        self.rec_parts: list[Cols] = []
        self.n_rec = 0
        self._recs: Cols | None = None
        self._by_pid: tuple[np.ndarray, np.ndarray] | None = None
        self.requests: list[Cols] = []
        self.final: Cols = {}
        self.services: Cols = {}
        self.cancelled = np.zeros(0, dtype=bool)

    # records -----------------------------------------------------------------------
    def new_records(
        self,
        rng: np.random.Generator,
        pid: np.ndarray,
        inst: np.ndarray,
        created: np.ndarray,
        kind: int | np.ndarray,
        team: np.ndarray,
        update_day: np.ndarray | None = None,
        status: np.ndarray | int = ACTIVE,
        chg: np.ndarray | int = NEVER,
    ) -> np.ndarray:
        n = len(pid)
        rec = self.n_rec + np.arange(n)
        self.n_rec += n
        self.rec_parts.append(
            {
                "pid": np.asarray(pid, np.int64),
                "inst": np.asarray(inst, np.int64),
                "created": np.asarray(created, np.int64),
                "kind": np.broadcast_to(np.asarray(kind, np.int64), (n,)).copy(),
            }
        )
        self._recs, self._by_pid = None, None
        day = created if update_day is None else update_day
        cause = VC_CREATED if update_day is None else VC_INITIAL
        self.versions.add(
            rec,
            day,
            rng.integers(8 * 3600, 17 * 3600, n),
            status,
            inst,
            team,
            chg,
            cause,
            creation=True,
        )
        return rec

    def records(self) -> Cols:
        if self._recs is None:
            self._recs = _cat(self.rec_parts)
        return self._recs

    def state(self) -> _State:
        recs = self.records()
        raw = self.versions.resolve()
        n = len(raw["rec"])
        idx = np.arange(n)
        full = {}
        for f in ("status", "inst", "team", "chg"):
            full[f] = raw[f][np.maximum.accumulate(np.where(raw[f] != KEEP, idx, 0))]
        rec = raw["rec"]
        new_rec = np.ones(n, dtype=bool)
        new_rec[1:] = rec[1:] != rec[:-1]
        nxt = np.full(n, NEVER, dtype=np.int64)
        nxt[:-1] = np.where(new_rec[1:], NEVER, raw["day"][1:])
        rec_first = np.zeros(self.n_rec + 1, dtype=np.int64)
        np.cumsum(np.bincount(rec, minlength=self.n_rec), out=rec_first[1:])
        version = idx - rec_first[rec] + 1
        created = recs["created"][rec]
        if self._by_pid is None:
            by_pid = np.argsort(recs["pid"], kind="stable")
            pid_first = np.zeros(self.ctx.n + 1, dtype=np.int64)
            np.cumsum(np.bincount(recs["pid"], minlength=self.ctx.n), out=pid_first[1:])
            self._by_pid = (by_pid, pid_first)
        return _State(
            rec=rec,
            day=raw["day"],
            sec=raw["sec"],
            status=full["status"],
            inst=full["inst"],
            team=full["team"],
            chg=full["chg"],
            cause=raw["cause"],
            version=version,
            next=nxt,
            lo=np.where(version == 1, np.minimum(raw["day"], created), raw["day"]),
            pid=recs["pid"][rec],
            created=created,
            rec_first=rec_first,
            by_pid=self._by_pid[0],
            pid_first=self._by_pid[1],
        )

    def expected_inst(self, pids: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected institution and team (BLANK) of each person on each day (indicators.md)."""
        c = _contract_at(self.civ, pids, days)
        street_inst = self.ctx.street_inst_at(pids, days)
        inst = np.where(c >= 0, self.contracts["inst"][np.maximum(c, 0)], street_inst)
        team = np.where(c >= 0, self.contracts["team"][np.maximum(c, 0)], BLANK)
        return inst, team

    # transfers ---------------------------------------------------------------------
    def request(
        self,
        rng: np.random.Generator,
        st: _State,
        rows: np.ndarray,
        pid: np.ndarray,
        to_inst: np.ndarray,
        apply: np.ndarray,
        reason: np.ndarray,
        cause: np.ndarray,
    ) -> None:
        """File requests by ``to_inst`` for the records of version ``rows``; answer them."""
        ctx = self.ctx
        n = len(rows)
        if n == 0:
            return
        rec = st.rec[rows]
        out = st.inst[rows]
        death = ctx.death[pid]
        cross = ctx.bc_district[out] != ctx.bc_district[to_inst]
        u = rng.random(n)
        outcome = np.where(u < 0.05, 0, np.where(u < 0.10, 2, 1))
        timely = rng.random(n) < 0.85
        quick = rng.choice(8, size=n, p=[0.06, 0.26, 0.2, 0.14, 0.1, 0.09, 0.08, 0.07])
        slow = 8 + np.minimum(rng.exponential(5.0, n).astype(np.int64), 22)
        delay = np.where(timely, quick, slow)
        reply = apply + delay
        outcome = np.where(
            (outcome == 1) & (reply >= death), 2, outcome
        )  # the person died meanwhile
        reply = np.where(outcome == 0, NEVER, reply)
        late_record = rng.random(n) < 0.1
        reply_update = np.where(
            outcome == 0, NEVER, reply + np.where(late_record, rng.integers(1, 4, n), 0)
        )
        no_date = (outcome > 0) & (rng.random(n) < 0.01)
        esc_day = apply + 16 + rng.integers(0, 6, n)
        escalated = cross & (esc_day < reply_update) & (esc_day <= ctx.end) & (rng.random(n) < 0.85)
        apply_sec = _seconds(rng, n)
        esc_sec = _seconds(rng, n)
        reply_sec = _seconds(rng, n)
        reply_sec = np.where(
            reply_update == apply,
            np.maximum(reply_sec, np.minimum(apply_sec + 600, 86000)),
            reply_sec,
        )
        self.requests.append(
            {
                "rec": rec,
                "pid": pid,
                "out": out,
                "in": to_inst,
                "apply": apply,
                "reason": reason,
                "cause": cause,
                "cross": cross,
                "outcome": outcome,
                "reply": reply,
                "delay": np.where(outcome == 0, -1, delay),
                "reply_update": reply_update,
                "reply_sec": reply_sec,
                "apply_sec": apply_sec,
                "no_date": no_date,
                "escalated": escalated,
                "esc_day": np.where(escalated, esc_day, NEVER),
                "esc_sec": esc_sec,
            }
        )
        # the record moves when an agreed answer is recorded: out of the old institution,
        # into the new one (usually the same day, sometimes a few days later)
        agreed = np.flatnonzero((outcome == 1) & (reply_update <= ctx.end))
        if len(agreed) == 0:
            return
        a_rec, a_day, a_sec = rec[agreed], reply_update[agreed], reply_sec[agreed]
        self.versions.add(a_rec, a_day, a_sec, MOVED_OUT, KEEP, KEEP, reply[agreed], VC_OUT)
        m = len(agreed)
        lag = np.where(rng.random(m) < 0.7, 0, rng.integers(1, 6, m))
        in_day = a_day + lag
        in_sec = np.where(
            lag == 0, np.minimum(a_sec + rng.integers(60, 3600, m), 86399), _seconds(rng, m)
        )
        ok = (in_day <= ctx.end) & (in_day < death[agreed])
        sel = agreed[ok]
        c = _contract_at(self.civ, pid[sel], in_day[ok])
        c_team = np.where(c >= 0, self.contracts["team"][np.maximum(c, 0)], BLANK)
        c_inst = np.where(c >= 0, self.contracts["inst"][np.maximum(c, 0)], -1)
        random_team = self.teams.pick(rng, to_inst[sel], in_day[ok])
        team = np.where(
            c_inst == to_inst[sel], c_team, np.where(rng.random(len(sel)) < 0.4, random_team, BLANK)
        )
        self.versions.add(
            rec[sel], in_day[ok], in_sec[ok], ACTIVE, to_inst[sel], team, in_day[ok], VC_IN
        )

    # ------------------------------------------------------------------------------
    def build(self) -> HealthRecords:
        ctx, config = self.ctx, self.config
        start = ctx.start
        rng_t = config.rng("records.teams")
        teams_truth, self.teams, served = _build_teams(ctx, rng_t)
        self.teams_truth_codes = teams_truth["team_code"].to_numpy()
        activity = self._activity(config.rng("records.activity"))
        moves = self.moves = _moves(ctx)

        at_start = ctx.res_iv.find(np.arange(ctx.n), np.full(ctx.n, start))
        present = (at_start >= 0) & (ctx.death > start)
        self.home = np.where(
            at_start >= 0, ctx.street_inst[ctx.res_street[np.maximum(at_start, 0)]], -1
        )
        resident = present & (ctx.res_resident[np.maximum(at_start, 0)] == 1)
        start_residents = np.flatnonzero(resident)
        start_present = np.flatnonzero(present)
        self.contracts = _build_contracts(
            ctx, config.rng("records.contracts"), self.teams, moves, start_residents, start_present
        )
        self.civ = _contract_intervals(self.contracts)

        self._initial_records(config.rng("records.initial"), start_residents, start_present)
        self._created_in_period(config.rng("records.created"), start_residents)
        rng_m = config.rng("records.moves")
        self._moves_round(rng_m, self.state(), moves, 0)
        # one snapshot of the versions serves each group of steps that follow
        st = self.state()
        self._moves_round(rng_m, st, moves, 1)
        self._other_requests(config.rng("records.requests"), st, moves)
        st = self.state()
        self._team_changes(config.rng("records.team-changes"), st)
        self._dedup(config.rng("records.dedup"), st)
        self._deaths(config.rng("records.deaths"), st)
        del st
        st = self.state()
        self.services = self._services(config.rng("records.services"), st, activity)
        # from here on only the resolved versions count: compact them, free the rest
        self.final = {
            "rec": st.rec.astype(np.int32),
            "day": st.day.astype(np.int32),
            "sec": st.sec.astype(np.int32),
            "status": st.status.astype(np.int8),
            "inst": st.inst.astype(np.int16),
            "team": st.team.astype(np.int32),
            "chg": st.chg.astype(np.int32),
            "cause": st.cause.astype(np.int8),
            "version": st.version.astype(np.int8),
            "next": st.next.astype(np.int32),
        }
        del st
        self.versions = _Versions()
        return self._assemble(config.rng("records.assemble"), teams_truth, activity, served)

    def _activity(self, rng: np.random.Generator) -> np.ndarray:
        """Per institution: the share of its people it sees at least once a year."""
        n = len(self.ctx.bc_code)
        a = rng.uniform(0.46, 1.05, n)
        low = rng.permutation(n)[: max(2, n // 6)]
        a[low] = rng.uniform(0.36, 0.48, len(low))
        return a

    def _initial_records(
        self, rng: np.random.Generator, residents: np.ndarray, present: np.ndarray
    ) -> None:
        ctx = self.ctx
        start = ctx.start
        n = len(residents)
        pid = residents
        lo = np.maximum(RECORDS_SINCE, ctx.birth[pid] + 30)
        since = ctx.since[pid]
        moved_before = (since - lo > 60) & (since < start - 30)
        share = max(moved_before.mean(), 0.05)
        u = rng.random(n)
        p_lb, p_dup = 0.03 / share, 0.025 / share
        none = u < 0.06
        left = ~none & moved_before & (rng.random(n) < p_lb)
        dup = ~none & ~left & moved_before & (rng.random(n) < p_dup / (1 - p_lb))
        one = ~none & ~left & ~dup
        street_inst = ctx.street_inst_at(pid, np.full(n, start))
        c = _contract_at(self.civ, pid, np.full(n, start))
        contracted = c >= 0
        c_inst = self.contracts["inst"][np.maximum(c, 0)]
        c_team = self.contracts["team"][np.maximum(c, 0)]
        current_inst = np.where(contracted, c_inst, street_inst)
        # 责任团队: the contract's team (a few wrong or missing), else often none
        v = rng.random(n)
        team = np.where(contracted & (v < 0.96), c_team, BLANK)
        other = np.flatnonzero(np.where(contracted, (v >= 0.96) & (v < 0.98), v < 0.35))
        team[other] = self.teams.pick(rng, current_inst[other], np.full(len(other), start))
        # a record left at a former institution (before the period)
        old = np.flatnonzero(left | dup)
        former = np.full(n, -1, dtype=np.int64)
        former[old] = ctx.other_inst(rng, current_inst[old], rng.random(len(old)) < 0.65)
        old_created = np.zeros(n, dtype=np.int64)
        old_created[old] = _uniform_days(rng, lo[old], since[old] - 1)
        new_lo = np.maximum(lo, np.where(dup, since, lo))
        w = rng.random(n) ** 1.4
        created = new_lo + (w * np.maximum(start - 1 - new_lo, 0)).astype(np.int64)
        updated = np.where(
            rng.random(n) < 0.5, _uniform_days(rng, created, np.full(n, start - 1)), created
        )
        idx = np.flatnonzero(one | dup)
        kind = np.where(dup[idx], RK_DUP_NEW, RK_INITIAL)
        self.new_records(
            rng, pid[idx], current_inst[idx], created[idx], kind, team[idx], updated[idx]
        )
        idx = np.flatnonzero(left | dup)
        f_team = np.where(
            rng.random(len(idx)) < 0.3,
            self.teams.pick(rng, former[idx], np.full(len(idx), start)),
            BLANK,
        )
        f_updated = np.where(
            rng.random(len(idx)) < 0.5,
            _uniform_days(rng, old_created[idx], since[idx] - 1),
            old_created[idx],
        )
        kind = np.where(dup[idx], RK_DUP_OLD, RK_LEFT_BEHIND)
        self.new_records(rng, pid[idx], former[idx], old_created[idx], kind, f_team, f_updated)
        # some non-residents have a record where they live
        nonres = _minus(present, residents, ctx.n)
        nonres = nonres[rng.random(len(nonres)) < 0.35]
        m = len(nonres)
        lo = np.maximum(RECORDS_SINCE, ctx.birth[nonres] + 30)
        created = _uniform_days(rng, lo, np.full(m, start - 1))
        inst = ctx.street_inst_at(nonres, np.full(m, start))
        self.new_records(rng, nonres, inst, created, RK_NON_RESIDENT, np.full(m, BLANK), created)
        # people who died before the start (if the population has any): most records closed
        dead = np.flatnonzero((ctx.death <= start) & (ctx.birth < ctx.death))
        dead = dead[rng.random(len(dead)) < 0.9]
        lo = np.maximum(RECORDS_SINCE, ctx.birth[dead] + 30)
        dead = dead[lo < ctx.death[dead]]
        if len(dead):
            m = len(dead)
            lo = np.maximum(RECORDS_SINCE, ctx.birth[dead] + 30)
            created = _uniform_days(rng, lo, ctx.death[dead] - 1)
            closed_day = ctx.death[dead] + rng.integers(10, 121, m)
            closed = (rng.random(m) < 0.7) & (closed_day < start)
            inst = ctx.street_inst_at(dead, ctx.death[dead] - 1)
            self.new_records(
                rng,
                dead,
                np.maximum(inst, 0),
                created,
                RK_DEAD,
                np.full(m, BLANK),
                np.where(closed, closed_day, created),
                np.where(closed, DEAD, ACTIVE),
                np.where(closed, closed_day, NEVER),
            )
        self.start_left = pid[left]
        self.start_dup = pid[dup]

    def _created_in_period(self, rng: np.random.Generator, residents: np.ndarray) -> None:
        ctx = self.ctx
        start, end = ctx.start, ctx.end
        recs = self.records()
        has_record = np.zeros(ctx.n, dtype=bool)
        has_record[recs["pid"]] = True
        # newborns: a record 1-3 months after birth, where the mother lives
        born = np.flatnonzero((ctx.origin == 2) & ~has_record)
        born = born[rng.random(len(born)) < 0.95]
        created = ctx.birth[born] + rng.integers(30, 93, len(born))
        ok = (created <= end) & (created < ctx.death[born])
        born, created = born[ok], created[ok]
        mother = ctx.mother[born]
        mom_inst = ctx.street_inst_at(np.maximum(mother, 0), ctx.birth[born])
        own_inst = ctx.street_inst_at(born, created)
        inst = np.where((mother >= 0) & (mom_inst >= 0), mom_inst, own_inst)
        # in-migrants: some open a record after settling
        mig = np.flatnonzero((ctx.origin == 3) & ~has_record)
        mig = mig[rng.random(len(mig)) < 0.4]
        m_created = ctx.registered[mig] + rng.integers(30, 300, len(mig))
        ok = (m_created <= end) & (m_created < ctx.death[mig])
        mig, m_created = mig[ok], m_created[ok]
        # residents without a record: some are recorded during the period
        late = residents[~has_record[residents]]
        late = late[rng.random(len(late)) < 0.15 * ctx.config.years]
        l_created = _uniform_days(rng, np.full(len(late), start), np.full(len(late), end))
        ok = l_created < ctx.death[late]
        late, l_created = late[ok], l_created[ok]
        pid = np.concatenate([born, mig, late])
        day = np.concatenate([created, m_created, l_created])
        kind = np.concatenate(
            [
                np.full(len(born), RK_NEWBORN),
                np.full(len(mig), RK_MIGRANT),
                np.full(len(late), RK_LATE),
            ]
        )
        exp_inst, exp_team = self.expected_inst(pid, day)
        inst = np.concatenate([inst, exp_inst[len(born) :]])
        team = np.where(exp_inst == inst, exp_team, BLANK)
        ok = inst >= 0
        self.new_records(rng, pid[ok], inst[ok], day[ok], kind[ok], team[ok])

    def _moves_round(self, rng: np.random.Generator, st: _State, moves: Cols, k: int) -> None:
        ctx = self.ctx
        sel = np.flatnonzero(moves["round"] == k)
        pid, day = moves["pid"][sel], moves["day"][sel]
        to_inst, from_inst = moves["to_inst"][sel], moves["from_inst"][sel]
        n = len(sel)
        u = rng.random(n)
        lag = 7 + np.minimum(rng.gamma(1.6, 14.0, n).astype(np.int64), 83)
        apply = day + lag
        primary, _, _ = st.primary(pid, apply, from_inst)
        _, _, at_new = st.primary(pid, apply, to_inst)
        _, _, at_new_now = st.primary(pid, day, to_inst)
        alive = (apply <= ctx.end) & (apply < ctx.death[pid])
        # three in four: the new institution asks for the record
        ask = alive & (u < 0.75) & (primary >= 0) & ~at_new & ~at_new_now
        ask &= st.inst[np.maximum(primary, 0)] != to_inst
        rows = np.flatnonzero(ask)
        cause = np.where(moves["back"][sel][rows], TC_MOVE_BACK, TC_MOVE)
        self.request(
            rng,
            st,
            primary[rows],
            pid[rows],
            to_inst[rows],
            apply[rows],
            np.full(len(rows), 1),
            cause,
        )
        # one in ten: the new institution opens a record of its own (a duplicate)
        # and people who had no record at all may get one there
        dup = alive & (((u >= 0.75) & (u < 0.85) & (primary >= 0)) | ((primary < 0) & (u < 0.5)))
        dup &= ~at_new & ~at_new_now
        rows = np.flatnonzero(dup)
        kind = np.where(primary[rows] >= 0, RK_MOVER_DUP, RK_MOVER_NEW)
        exp_inst, exp_team = self.expected_inst(pid[rows], apply[rows])
        team = np.where(exp_inst == to_inst[rows], exp_team, BLANK)
        self.new_records(rng, pid[rows], to_inst[rows], apply[rows], kind, team)

    def _other_requests(self, rng: np.random.Generator, st: _State, moves: Cols) -> None:
        """Requests without a move: a contract with another institution's team (申请原因 2),
        and records left behind before the period, claimed at last (1 or 9)."""
        ctx = self.ctx
        c = self.contracts
        switch = np.flatnonzero((c["kind"] == CK_SWITCH) & (rng.random(len(c["kind"])) < 0.7))
        s_pid = c["pid"][switch]
        s_apply = c["sign"][switch] + rng.integers(3, 31, len(switch))
        s_in = c["inst"][switch]
        movers = np.zeros(ctx.n, dtype=bool)
        movers[moves["pid"]] = True
        left = self.start_left[~movers[self.start_left]]
        left = left[rng.random(len(left)) < 0.25 * ctx.config.years]
        l_apply = _uniform_days(rng, np.full(len(left), ctx.start), np.full(len(left), ctx.end))
        l_in, _ = self.expected_inst(left, l_apply)
        pid = np.concatenate([s_pid, left])
        apply = np.concatenate([s_apply, l_apply])
        to_inst = np.concatenate([s_in, l_in])
        reason = np.concatenate(
            [np.full(len(s_pid), 2), np.where(rng.random(len(left)) < 0.7, 1, 9)]
        )
        cause = np.concatenate([np.full(len(s_pid), TC_SWITCH), np.full(len(left), TC_CATCH_UP)])
        ok = (apply >= ctx.start) & (apply <= ctx.end) & (apply < ctx.death[pid]) & (to_inst >= 0)
        pid, apply, to_inst, reason, cause = (a[ok] for a in (pid, apply, to_inst, reason, cause))
        street_inst = ctx.street_inst_at(pid, apply)
        prefer = np.where(street_inst == to_inst, -1, street_inst)
        primary, _, _ = st.primary(pid, apply, prefer)
        _, _, at_new = st.primary(pid, apply, to_inst)
        ok = (primary >= 0) & ~at_new
        ok &= st.inst[np.maximum(primary, 0)] != to_inst
        rows = np.flatnonzero(ok)
        self.request(
            rng, st, primary[rows], pid[rows], to_inst[rows], apply[rows], reason[rows], cause[rows]
        )

    def _team_changes(self, rng: np.random.Generator, st: _State) -> None:
        """Records follow contract teams; a closed team's records are reassigned."""
        ctx = self.ctx
        # a closed team: its records get another team (or none) within a month
        dissolved = self.teams.dissolved
        t = st.team
        closing = st.active_rows()
        closing = closing[(t[closing] >= 0) & (dissolved[np.maximum(t[closing], 0)] < NEVER)]
        close_day = dissolved[t[closing]]
        closing = closing[(st.lo[closing] <= close_day) & (close_day < st.next[closing])]
        close_day = dissolved[t[closing]]
        m = len(closing)
        day = close_day + rng.integers(0, 31, m)
        ok = (
            (rng.random(m) < 0.6)
            & (day <= ctx.end)
            & (day < st.next[closing])
            & (day < ctx.death[st.pid[closing]])
        )
        closing, day = closing[ok], day[ok]
        new_team = np.where(
            rng.random(len(closing)) < 0.5, self.teams.pick(rng, st.inst[closing], day), BLANK
        )
        sec = _after(day, _seconds(rng, len(day)), st.day[closing], st.sec[closing])
        self.versions.add(st.rec[closing], day, sec, KEEP, KEEP, new_team, KEEP, VC_TEAM_DISSOLVED)
        # a contract signed in the period: the record's 责任团队 follows (mostly)
        c = self.contracts
        signed = np.flatnonzero((c["sign"] >= ctx.start) & (c["sign"] <= ctx.end))
        signed = signed[rng.random(len(signed)) < 0.8]
        day = c["sign"][signed] + np.where(
            rng.random(len(signed)) < 0.5, 0, rng.integers(1, 15, len(signed))
        )
        ok = (day <= ctx.end) & (day < ctx.death[c["pid"][signed]])
        signed, day = signed[ok], day[ok]
        primary, _, at_inst = st.primary(c["pid"][signed], day, c["inst"][signed])
        rows = primary[at_inst]
        sel = signed[at_inst]
        day = day[at_inst]
        differs = st.team[rows] != c["team"][sel]
        rows, sel, day = rows[differs], sel[differs], day[differs]
        sec = _after(day, _seconds(rng, len(day)), st.day[rows], st.sec[rows])
        self.versions.add(st.rec[rows], day, sec, KEEP, KEEP, c["team"][sel], KEEP, VC_TEAM_SYNC)

    def _dedup(self, rng: np.random.Generator, st: _State) -> None:
        """Some duplicates found before the period are cleaned up (其他注销)."""
        ctx = self.ctx
        pid = self.start_dup[rng.random(len(self.start_dup)) < 0.1 * ctx.config.years]
        day = _uniform_days(rng, np.full(len(pid), ctx.start), np.full(len(pid), ctx.end))
        ok = day < ctx.death[pid]
        pid, day = pid[ok], day[ok]
        recs = self.records()
        q, rows = st.candidates(pid, day)
        old = recs["kind"][st.rec[rows]] == RK_DUP_OLD
        q, rows = q[old], rows[old]
        sec = _after(day[q], _seconds(rng, len(q)), st.day[rows], st.sec[rows])
        self.versions.add(st.rec[rows], day[q], sec, CANCELLED, KEEP, KEEP, day[q], VC_DEDUP)
        self.cancelled = np.zeros(self.n_rec, dtype=bool)
        self.cancelled[st.rec[rows]] = True

    def _deaths(self, rng: np.random.Generator, st: _State) -> None:
        """Records of the dead are closed (死亡注销) 10-120 days later, some never."""
        ctx = self.ctx
        dead = np.flatnonzero((ctx.death >= ctx.start) & (ctx.death <= ctx.end))
        q, rows = st.candidates(dead, ctx.death[dead] - 1)
        pid = dead[q]
        expected, _ = self.expected_inst(pid, ctx.death[pid] - 1)
        p = np.where(st.inst[rows] == expected, 0.8, 0.3)
        day = ctx.death[pid] + rng.integers(10, 121, len(pid))
        closes = (rng.random(len(pid)) < p) & (day <= ctx.end)
        q, rows, pid, day = q[closes], rows[closes], pid[closes], day[closes]
        # the record as it is on that day (it may have moved since)
        q2, rows2 = st.candidates(pid, day)
        same = (st.rec[rows2] == st.rec[rows[q2]]) & ~self.cancelled[st.rec[rows2]]
        q2, rows2 = q2[same], rows2[same]
        sec = _after(day[q2], _seconds(rng, len(q2)), st.day[rows2], st.sec[rows2])
        self.versions.add(st.rec[rows2], day[q2], sec, DEAD, KEEP, KEEP, day[q2], VC_DEATH)

    # services ----------------------------------------------------------------------
    def _services(self, rng: np.random.Generator, st: _State, activity: np.ndarray) -> Cols:
        """Services of the period and the 365 days before, per active record and year.

        Each active record is *engaged* in a year with its institution's activity
        level (higher for children and the old); an engaged record gets one main
        service and, by age, chronic follow-ups and child visits.  A record kept where
        the person no longer lives is rarely used: the person is seen locally.
        """
        ctx = self.ctx
        start, end = ctx.start, ctx.end
        window = start - SERVICE_WINDOW
        chronic_p = np.select(
            [
                ctx.birth > start - 35 * 365.25,
                ctx.birth > start - 50 * 365.25,
                ctx.birth > start - 65 * 365.25,
            ],
            [0.0, 0.08, 0.18],
            0.28,
        )
        chronic = rng.random(ctx.n) < chronic_p
        # people who stay with one institution all along (most): no service needs a check
        unsettled = ctx.origin != 0
        unsettled[self.moves["pid"]] = True
        c = self.contracts
        unsettled[c["pid"][c["inst"] != self.home[c["pid"]]]] = True
        slots = []
        slot_lo = window
        while slot_lo <= end:
            slots.append((slot_lo, min(slot_lo + 365, end + 1)))
            slot_lo += 365
        parts: list[Cols] = []
        active = st.active_rows()
        active = active[(st.next[active] > window) & (st.lo[active] <= end)]
        for c0 in range(0, len(active), SERVICE_CHUNK):
            rows = active[c0 : c0 + SERVICE_CHUNK]
            pid, inst = st.pid[rows], st.inst[rows]
            # can the person live elsewhere while the record is active? then check each service
            first_day = np.maximum(st.lo[rows], window)
            last_day = np.minimum(st.next[rows] - 1, end)
            check = unsettled[pid] | (inst != self.home[pid])
            for slot_lo, slot_hi in slots:
                lo = np.maximum(np.maximum(first_day, slot_lo), ctx.birth[pid])
                hi = np.minimum(np.minimum(last_day + 1, slot_hi), ctx.death[pid])
                span = hi - lo
                frac = span / 365.0
                age = ((lo + hi) // 2 - ctx.birth[pid]) / 365.25
                factor = np.select(
                    [age < 7, age < 18, age < 35, age < 65], [1.2, 0.5, 0.65, 0.95], 1.25
                )
                p = np.clip(activity[inst] * factor, 0, 0.97) * np.sqrt(np.maximum(frac, 0))
                e = np.flatnonzero((span > 0) & (rng.random(len(rows)) < p))
                m = len(e)
                e_age, e_frac, e_pid = age[e], frac[e], pid[e]
                v = rng.random(m)
                general = np.where(
                    v < 0.45,
                    ST_OUTPATIENT,
                    np.where(v < 0.75, ST_EDUCATION, np.where(v < 0.87, ST_OTHER, ST_CHECK)),
                )
                young_mother = (ctx.sex[e_pid] == 2) & (e_age >= 20) & (e_age < 40) & (v < 0.12)
                main = np.select(
                    [e_age < 7, e_age >= 65, young_mother],
                    [ST_CHILD, np.where(v < 0.85, ST_CHECK, ST_OUTPATIENT), ST_MATERNAL],
                    general,
                )
                counts = [
                    np.ones(m, dtype=np.int64),
                    np.where(chronic[e_pid] & (e_age >= 35), rng.poisson(3.2 * e_frac), 0),
                    np.where(e_age < 3, rng.poisson(1.8 * e_frac), 0),
                    rng.poisson(0.03 * e_frac),
                ]
                for kind, count in zip(
                    (-1, ST_CHRONIC, ST_CHILD, ST_OUTPATIENT), counts, strict=True
                ):
                    idx = e[np.repeat(np.arange(m), count)]
                    if len(idx) == 0:
                        continue
                    k = np.repeat(np.arange(m), count)
                    typ = main[k] if kind < 0 else np.full(len(idx), kind)
                    day = lo[idx] + (rng.random(len(idx)) * span[idx]).astype(np.int64)
                    parts.append(
                        {
                            "pid": pid[idx].astype(np.int32),
                            "rec": st.rec[rows[idx]].astype(np.int32),
                            "inst": inst[idx].astype(np.int16),
                            "type": typ.astype(np.int8),
                            "day": day.astype(np.int32),
                            "check": check[idx],
                        }
                    )
        services = _cat(parts)
        del parts
        # the care institution: a record elsewhere is rarely used; the person is seen locally
        look = np.flatnonzero(services["check"])
        pid, day = services["pid"][look].astype(np.int64), services["day"][look].astype(np.int64)
        care, _ = self.expected_inst(pid, day)
        s_inst = services["inst"][look]
        away = (day >= ctx.since[pid]) & (care >= 0) & (care != s_inst)
        u = rng.random(len(look))
        drop = away & (u >= 0.55)
        # people who left the city (no longer resident) are rarely seen
        left_city = (ctx.origin[pid] == 0) & ~ctx.resident_at(pid, day) & (day >= start)
        drop |= left_city & (rng.random(len(look)) < 0.9)
        local = away & (u >= 0.1) & (u < 0.55)
        services["inst"][look] = np.where(local, care, s_inst)
        services["rec"][look] = np.where(local, -1, services["rec"][look])
        no_record = rng.random(len(services["rec"])) < 0.03  # some name no record (person only)
        services["rec"][no_record] = -1
        keep = np.ones(len(services["rec"]), dtype=bool)
        keep[look[drop]] = False
        del services["check"]
        services = _take(services, np.flatnonzero(keep))
        extra = [self._maternal(rng, st), self._without_record(rng)]
        for part in extra:
            part["pid"], part["rec"] = part["pid"].astype(np.int32), part["rec"].astype(np.int32)
            part["inst"], part["type"] = part["inst"].astype(np.int16), part["type"].astype(np.int8)
            part["day"] = part["day"].astype(np.int32)
        return _cat([services, *extra])

    def _maternal(self, rng: np.random.Generator, st: _State) -> Cols:
        ctx = self.ctx
        window = ctx.start - SERVICE_WINDOW
        kids = np.flatnonzero(
            (ctx.birth >= window) & (ctx.birth <= ctx.end + 260) & (ctx.mother >= 0)
        )
        mothers = ctx.mother[kids]
        first = np.ones(len(kids), dtype=bool)  # twins: one pregnancy
        order = np.lexsort((ctx.birth[kids], mothers))
        first[order[1:]] = ~(
            (mothers[order][1:] == mothers[order][:-1])
            & (ctx.birth[kids][order][1:] - ctx.birth[kids][order][:-1] < 30)
        )
        kids = kids[first & (rng.random(len(kids)) < 0.85)]
        mothers = ctx.mother[kids]
        idx = np.repeat(np.arange(len(kids)), 5)
        visit = np.tile(np.arange(5), len(kids))
        day = ctx.birth[kids][idx] + np.where(
            visit < 4, -rng.integers(20, 260, len(idx)), rng.integers(7, 43, len(idx))
        )
        pid = mothers[idx]
        ok = (day >= window) & (day <= ctx.end) & (day < ctx.death[pid])
        pid, day = pid[ok], day[ok]
        care, _ = self.expected_inst(pid, day)
        primary, _, at_care = st.primary(pid, day, care)
        rec = np.where(at_care, st.rec[np.maximum(primary, 0)], -1)
        inst = np.where(
            care >= 0, care, np.where(primary >= 0, st.inst[np.maximum(primary, 0)], -1)
        )
        ok = inst >= 0
        return {
            "pid": pid[ok],
            "rec": rec[ok],
            "inst": inst[ok],
            "type": np.full(int(ok.sum()), ST_MATERNAL),
            "day": day[ok],
        }

    def _without_record(self, rng: np.random.Generator) -> Cols:
        """People with no record at all are sometimes seen (the service names no record)."""
        ctx = self.ctx
        recs = self.records()
        has = np.zeros(ctx.n, dtype=bool)
        has[recs["pid"]] = True
        pid = np.flatnonzero(~has)
        window = ctx.start - SERVICE_WINDOW
        lo = np.maximum(np.maximum(window, ctx.registered[pid]), ctx.birth[pid])
        hi = np.minimum(ctx.end, ctx.death[pid] - 1)
        years = np.maximum(hi - lo + 1, 0) / 365.25
        count = rng.poisson(0.25 * years)
        idx = np.repeat(np.arange(len(pid)), count)
        day = _uniform_days(rng, lo[idx], hi[idx])
        pid = pid[idx]
        inst = ctx.street_inst_at(pid, day)
        v = rng.random(len(pid))
        typ = np.where(v < 0.7, ST_OUTPATIENT, np.where(v < 0.9, ST_EDUCATION, ST_OTHER))
        ok = inst >= 0
        return {
            "pid": pid[ok],
            "rec": np.full(int(ok.sum()), -1),
            "inst": inst[ok],
            "type": typ[ok],
            "day": day[ok],
        }

    # feeds and truth ---------------------------------------------------------------
    def _assemble(
        self,
        rng: np.random.Generator,
        teams_truth: pd.DataFrame,
        activity: np.ndarray,
        served: np.ndarray,
    ) -> HealthRecords:
        state, self.final = self.final, {}
        recs = self.records()
        ctx = self.ctx
        start, end = ctx.start, ctx.end
        p = self.people.persons
        names = pa.array(p["name"].array)
        if isinstance(names, pa.ChunkedArray):
            names = names.combine_chunks()
        inst_codes = ctx.bc_code
        inst_rank = np.argsort(np.argsort(inst_codes.astype(str), kind="stable"), kind="stable")
        team_codes = teams_truth["team_code"].to_numpy()

        # 档案编号: street code of the creating institution + 8-digit sequence
        n_rec = len(recs["pid"])
        street = ctx.street_at(recs["pid"], recs["created"])
        inst_first_street = np.array([s[0] for s in ctx.bc_streets], dtype=np.int64)
        street = np.where(
            (street >= 0) & (ctx.street_inst[np.maximum(street, 0)] == recs["inst"]),
            street,
            inst_first_street[recs["inst"]],
        )
        created0 = _low(recs["created"])
        order = np.argsort((street << 46) | ((recs["created"] - created0) << 30) | np.arange(n_rec))
        seq = np.empty(n_rec, dtype=np.int64)
        seq[order] = _rank_in_groups(street[order]) + 1 + rng.integers(0, 5000, 1)[0]
        street_number = ctx.street_code.astype(np.int64)[street]
        rec_rank = np.empty(n_rec, dtype=np.int64)
        rec_rank[order] = np.arange(n_rec)  # numbering order = text order (fixed width)

        def rec_no(
            rec: np.ndarray, *suffix: str | tuple[np.ndarray, int]
        ) -> list[str | tuple[np.ndarray, int]]:
            return [(street_number[rec], 9), (seq[rec], 8), *suffix]

        # -- ehr_record: every version; before the start only the latest (the history load)
        v = state
        pre = v["day"] < start
        last_pre = pre.copy()
        last_pre[:-1] &= ~((v["rec"][1:] == v["rec"][:-1]) & pre[1:])
        keep = (last_pre | ~pre) & (v["day"] <= end)
        if not keep.all():
            v = _take(v, np.flatnonzero(keep))
        del keep, pre, last_pre
        versions_truth = pd.DataFrame(
            copy=False,
            data={
                "record": v["rec"],
                "version": v["version"],
                "pid": recs["pid"][v["rec"]],
                "update_day": v["day"],
                "update_second": v["sec"],
                "valid_to_day": v["next"],
                "status": v["status"],
                "institution_code": _codes(inst_codes, v["inst"]),
                "team_code": _codes(team_codes, v["team"]),
                "status_change_day": v["chg"],
                "cause": _labels(v["cause"], VERSION_CAUSES),
                "history": v["day"] < start,
            },
        )
        business = np.maximum(v["day"], start)
        v = _take(v, self._order(business, inst_rank[v["inst"]], rec_rank[v["rec"]], v["version"]))
        business = np.maximum(v["day"], start)
        pid = recs["pid"][v["rec"]]
        n = len(pid)
        number, record = _ids(n, rec_no(v["rec"]), "ehr_record:", v["version"])
        ehr_record = pd.DataFrame(
            copy=False,
            data={
                "档案编号": number,
                "身份证号": pid,
                "姓名": _text(names.take(pa.array(pid))),
                "性别代码": _codes(np.array(["0", "1", "2"]), ctx.sex[pid]),
                "出生日期": ctx.birth[pid],
                "管理机构代码": _codes(inst_codes, v["inst"]),
                "责任团队编码": _codes(team_codes, v["team"]),
                "建档日期": recs["created"][v["rec"]],
                "档案状态": _codes(np.array(["1", "2", "3", "4"]), v["status"] - 1),
                "状态变更日期": v["chg"],
                "_sender": _codes(inst_codes, v["inst"]),
                "_business_day": business,
                "_update_day": v["day"],
                "_update_second": v["sec"],
                "_record": record,
            },
        )
        del v
        records_truth = self._records_truth(state, recs, _ascii(n_rec, *rec_no(np.arange(n_rec))))
        del state

        contract, contracts_truth = self._contract_feed(rng, inst_codes, team_codes)
        self.contracts, self.civ = (
            {},
            (_Intervals(*[np.zeros(0, np.int64)] * 3), np.zeros(0, np.int64)),
        )
        transfer, transfers_truth = self._transfer_feed(inst_codes, inst_rank, rec_no)
        services, self.services = self.services, {}
        ehr_service = self._service_feed(rng, services, inst_codes, inst_rank, rec_no)
        del services
        institutions_truth = pd.DataFrame(
            copy=False,
            data={
                "institution_code": inst_codes,
                "district_code": ctx.district_codes[ctx.bc_district],
                "served_at_start": served,
                "teams": self.teams.count,
                "activity": activity,
            },
        )
        return HealthRecords(
            team=_team_feed(ctx, self.geo, teams_truth),
            ehr_record=ehr_record,
            ehr_service=ehr_service,
            contract=contract,
            transfer=transfer,
            teams_truth=teams_truth,
            records_truth=records_truth,
            record_versions_truth=versions_truth,
            contracts_truth=contracts_truth,
            transfers_truth=transfers_truth,
            institutions_truth=institutions_truth,
        )

    @staticmethod
    def _order(
        business: np.ndarray, sender: np.ndarray, key: np.ndarray, version: np.ndarray
    ) -> np.ndarray:
        """Row order of a feed frame: business date, sender, key, version (= update time)."""
        business = business.astype(np.int64) - _low(business)
        assert business.max(initial=0) < 2**16 and sender.max(initial=0) < 2**11
        assert key.max(initial=0) < 2**30 and version.max(initial=0) < 2**6
        key64 = (business << 47) | (sender.astype(np.int64) << 36) | (key.astype(np.int64) << 6)
        return np.argsort(key64 | version.astype(np.int64), kind="stable")

    def _records_truth(self, state: Cols, recs: Cols, rec_no: pd.Series) -> pd.DataFrame:
        ctx = self.ctx
        end = ctx.end
        n_rec = len(recs["pid"])
        # state at the end: the last version on or before the end day
        idx = np.flatnonzero(state["day"] <= end)
        last = idx[np.flatnonzero(np.append(state["rec"][idx][1:] != state["rec"][idx][:-1], True))]
        rec = state["rec"][last]
        status = np.zeros(n_rec, dtype=np.int64)
        inst = np.full(n_rec, -1, dtype=np.int64)
        team = np.full(n_rec, BLANK, dtype=np.int64)
        status[rec], inst[rec], team[rec] = (
            state["status"][last],
            state["inst"][last],
            state["team"][last],
        )
        pid = recs["pid"]
        active = status == ACTIVE
        n_active = np.bincount(pid[active], minlength=ctx.n)
        alive = ctx.death[pid] > end
        resident = ctx.resident_at(pid, np.full(n_rec, end)) & alive
        expected, _ = self.expected_inst(pid, np.full(n_rec, end))
        codes = ctx.bc_code
        return pd.DataFrame(
            copy=False,
            data={
                "record_no": rec_no,
                "pid": pid,
                "kind": _labels(recs["kind"], RECORD_KINDS),
                "created_day": recs["created"],
                "creating_institution": _codes(codes, recs["inst"]),
                "status_at_end": status,
                "institution_at_end": _codes(codes, inst),
                "team_at_end": _codes(self.teams_truth_codes, team),
                "active_at_end": active,
                "duplicate_at_end": active & (n_active[pid] >= 2),
                "stale_at_end": active & ~resident,
                "misplaced_at_end": active & resident & (inst != expected),
                "expected_institution_at_end": _codes(codes, expected),
            },
        )

    def _contract_feed(
        self, rng: np.random.Generator, inst_codes: np.ndarray, team_codes: np.ndarray
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Contract versions (institution index = code order, so it sorts by sender)."""
        ctx = self.ctx
        start, end = ctx.start, ctx.end
        c = self.contracts
        n = len(c["pid"])
        sign_sec = _seconds(rng, n)
        end_sec = _seconds(rng, n)
        # the status a contract's last version shows: 2 解约, 3 到期, 0 none (stays 1)
        status_of_end = np.zeros(len(CONTRACT_ENDS), dtype=np.int64)
        status_of_end[[CE_CANCELLED, CE_DISSOLVED, CE_MOVED, CE_DEATH]] = 2
        status_of_end[CE_EXPIRED] = 3
        ends_with = status_of_end[c["end"]]
        second = (ends_with > 0) & (c["end_update"] < NEVER)
        end_sec = np.where(
            c["end_update"] == c["sign"], np.maximum(end_sec, sign_sec + 60), end_sec
        )
        # version 1 (signed, 有效) and version 2 (解约 or 到期)
        rows = np.concatenate([np.arange(n), np.flatnonzero(second)])
        ver = np.concatenate([np.ones(n, dtype=np.int64), np.full(int(second.sum()), 2)])
        day = np.where(ver == 1, c["sign"][rows], c["end_update"][rows])
        business = np.maximum(day, start)
        # one sort: the feed order (business date, institution, 签约编号, version), and
        # 签约编号 numbered per institution in the order of (signing business date, sign, pid)
        sign0 = _low(c["sign"])
        assert int(business.max(initial=start)) - start < 2**12 and ctx.n < 2**25
        assert int(c["sign"].max(initial=sign0)) - sign0 < 2**12
        order = np.argsort(
            ((business - start) << 51)
            | (c["inst"][rows] << 40)
            | ((c["sign"][rows] - sign0) << 28)
            | (c["pid"][rows] << 3)
            | ver,
            kind="stable",
        )
        rows, ver, day, business = rows[order], ver[order], day[order], business[order]
        first = np.flatnonzero(ver == 1)
        by_inst = first[np.argsort(c["inst"][rows[first]], kind="stable")]
        seq = np.empty(n, dtype=np.int64)
        seq[rows[by_inst]] = _rank_in_groups(c["inst"][rows[by_inst]]) + 1
        del first, by_inst, order
        sec = np.where(ver == 1, sign_sec[rows], end_sec[rows])
        # the history load carries each contract's latest version before the start
        superseded = (ver == 1) & second[rows] & (c["end_update"][rows] < start)
        ok = np.flatnonzero((day <= end) & ~superseded)
        rows, ver, day, sec, business = (a[ok] for a in (rows, ver, day, sec, business))
        status = np.where(ver == 1, 1, ends_with[rows])
        inst = c["inst"][rows]
        m = len(rows)

        def number(r: np.ndarray) -> list[str | tuple[np.ndarray, int]]:
            return ["QY", (c["inst"][r], 4), (seq[r], 7)]

        key, record = _ids(m, number(rows), "contract:", ver)
        frame = pd.DataFrame(
            copy=False,
            data={
                "签约编号": key,
                "身份证号": c["pid"][rows],
                "签约团队编码": _codes(team_codes, c["team"][rows]),
                "签约机构代码": _codes(inst_codes, inst),
                "签约日期": c["sign"][rows],
                "生效日期": c["eff"][rows],
                "到期日期": c["exp"][rows],
                "签约状态": _codes(np.array(["1", "2", "3"]), status - 1),
                "解约日期": np.where(status == 2, c["cancel"][rows], NEVER),
                "_sender": _codes(inst_codes, inst),
                "_business_day": business,
                "_update_day": day,
                "_update_second": sec,
                "_record": record,
            },
        )
        prev = c["prev"]
        truth = pd.DataFrame(
            copy=False,
            data={
                "contract_no": _ascii(n, *number(np.arange(n))),
                "pid": c["pid"],
                "team_code": _codes(team_codes, c["team"]),
                "institution_code": _codes(inst_codes, c["inst"]),
                "sign_day": c["sign"],
                "effective_day": c["eff"],
                "expiry_day": c["exp"],
                "kind": _labels(c["kind"], CONTRACT_KINDS),
                "end": _labels(c["end"], CONTRACT_ENDS),
                "cancel_day": np.where(ends_with == 2, c["cancel"], NEVER),
                "end_update_day": np.where(second, c["end_update"], NEVER),
                "predecessor": prev,
            },
        )
        return frame, truth

    def _transfer_feed(
        self,
        inst_codes: np.ndarray,
        inst_rank: np.ndarray,
        rec_no: Callable[..., list[str | tuple[np.ndarray, int]]],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        ctx = self.ctx
        end = ctx.end
        fields = (
            "rec",
            "pid",
            "out",
            "in",
            "apply",
            "reason",
            "cause",
            "cross",
            "outcome",
            "reply",
            "delay",
            "reply_update",
            "reply_sec",
            "apply_sec",
            "no_date",
            "escalated",
            "esc_day",
            "esc_sec",
        )
        t = (
            _cat(self.requests)
            if self.requests
            else {k: np.zeros(0, dtype=np.int64) for k in fields}
        )
        n = len(t["rec"])
        order = np.lexsort((t["pid"], t["apply"], t["in"]))
        t = _take(t, order)  # requests numbered per requesting institution, by date
        seq = _rank_in_groups(t["in"]) + 1
        # version 1: the request; 2: escalated (协调转办); 3: the answer
        rows = np.concatenate(
            [np.arange(n), np.flatnonzero(t["escalated"]), np.flatnonzero(t["outcome"] > 0)]
        )
        ver = np.concatenate(
            [
                np.ones(n, dtype=np.int64),
                np.full(int(t["escalated"].sum()), 2),
                np.full(int((t["outcome"] > 0).sum()), 3),
            ]
        )
        day = np.select(
            [ver == 1, ver == 2], [t["apply"][rows], t["esc_day"][rows]], t["reply_update"][rows]
        )
        sec = np.select(
            [ver == 1, ver == 2], [t["apply_sec"][rows], t["esc_sec"][rows]], t["reply_sec"][rows]
        )
        sender = np.where(ver == 3, t["out"][rows], t["in"][rows])
        ok = day <= end
        rows, ver, day, sec, sender = (a[ok] for a in (rows, ver, day, sec, sender))
        order = self._order(day, inst_rank[sender], rows, ver)
        rows, ver, day, sec, sender = (a[order] for a in (rows, ver, day, sec, sender))
        status = np.where(ver == 3, t["outcome"][rows], 0)
        reply = np.where((ver == 3) & ~t["no_date"][rows].astype(bool), t["reply"][rows], NEVER)
        flag = np.where((ver >= 2) & t["escalated"][rows].astype(bool), 1, -1)
        m = len(rows)

        def number(r: np.ndarray) -> list[str | tuple[np.ndarray, int]]:
            return ["ZR", (t["in"][r], 4), (seq[r], 7)]

        key, record = _ids(m, number(rows), "transfer:", ver)
        frame = pd.DataFrame(
            copy=False,
            data={
                "申请编号": key,
                "档案编号": _ascii(m, *rec_no(t["rec"][rows])),
                "身份证号": t["pid"][rows],
                "迁出机构代码": _codes(inst_codes, t["out"][rows]),
                "迁入机构代码": _codes(inst_codes, t["in"][rows]),
                "申请日期": t["apply"][rows],
                "申请原因": _codes(
                    np.array(["1", "2", "9"]), np.searchsorted([1, 2, 9], t["reason"][rows])
                ),
                "处理状态": _codes(np.array(["0", "1", "2"]), status),
                "处理日期": reply,
                "协调转办标志": _codes(np.array(["1"]), np.where(flag == 1, 0, -1)),
                "_sender": _codes(inst_codes, sender),
                "_business_day": day,
                "_update_day": day,
                "_update_second": sec,
                "_record": record,
            },
        )
        truth = pd.DataFrame(
            copy=False,
            data={
                "request_no": _ascii(n, *number(np.arange(n))),
                "record_no": _ascii(n, *rec_no(t["rec"])),
                "pid": t["pid"],
                "out_institution": _codes(inst_codes, t["out"]),
                "in_institution": _codes(inst_codes, t["in"]),
                "apply_day": t["apply"],
                "reason": t["reason"],
                "cause": _labels(t["cause"], TRANSFER_CAUSES),
                "cross_district": t["cross"].astype(bool),
                "outcome": t["outcome"],
                "reply_day": t["reply"],
                "reply_delay": t["delay"],
                "reply_update_day": t["reply_update"],
                "reply_without_date": t["no_date"].astype(bool),
                "escalated": t["escalated"].astype(bool),
                "escalate_day": t["esc_day"],
            },
        )
        return frame, truth

    def _service_feed(
        self,
        rng: np.random.Generator,
        s: Cols,
        inst_codes: np.ndarray,
        inst_rank: np.ndarray,
        rec_no: Callable[..., list[str | tuple[np.ndarray, int]]],
    ) -> pd.DataFrame:
        start, end = self.ctx.start, self.ctx.end
        n = len(s["pid"])
        # entered the same day (80%), within a week (17%) or up to a month late
        u = rng.random(n)
        lag = np.where(
            u < 0.8, 0, np.where(u < 0.97, 1 + (u - 0.8) * (7 / 0.17), 8 + (u - 0.97) * (23 / 0.03))
        ).astype(np.int32)
        update = s["day"] + lag
        del u, lag
        sec: np.ndarray = rng.integers(8 * 3600, 21 * 3600, n, dtype=np.int32)
        # a few are sent again 1-30 days later (same row, new 更新时间)
        v = rng.random(n)
        resent = v < 0.005
        resend_day = update + 1 + (v * (30 / 0.005)).astype(np.int32)
        del v
        # one sort gives both the numbering (per institution, in delivery order) and the
        # feed order: business date, institution, 服务记录号
        business = np.maximum(update, start).astype(np.int64)
        day0 = _low(s["day"])
        assert int(business.max(initial=start)) - start < 2**12
        assert int(s["day"].max(initial=0)) - day0 < 2**12 and self.ctx.n < 2**25
        key = (
            ((business - start) << 51)
            | (s["inst"].astype(np.int64) << 40)
            | ((s["day"].astype(np.int64) - day0) << 28)
            | (s["pid"].astype(np.int64) << 3)
            | s["type"]
        )
        order = np.argsort(key, kind="stable")
        del key
        by_inst = np.argsort(s["inst"][order], kind="stable")
        seq = np.empty(n, dtype=np.int64)
        seq[order[by_inst]] = _rank_in_groups(s["inst"][order][by_inst]) + 1
        del by_inst
        again = np.flatnonzero(resent)
        rows = np.concatenate([order[update[order] <= end], again[resend_day[again] <= end]])
        ver = np.ones(len(rows), dtype=np.int64)
        ver[len(rows) - int((resend_day[again] <= end).sum()) :] = 2
        day = np.where(ver == 1, update[rows], resend_day[rows])
        sec = sec[rows]
        business = np.maximum(day, start)
        order = self._order(business, inst_rank[s["inst"][rows]], seq[rows], ver)
        rows, ver, day, sec, business = (a[order] for a in (rows, ver, day, sec, business))
        rec = s["rec"][rows]
        m = len(rows)
        number: list[str | tuple[np.ndarray, int]] = ["FW", (s["inst"][rows], 4), (seq[rows], 9)]
        number_text, record = _ids(m, number, "ehr_service:", ver)
        return pd.DataFrame(
            copy=False,
            data={
                "服务记录号": number_text,
                "档案编号": _ascii(m, *rec_no(np.maximum(rec, 0)), valid=rec >= 0),
                "身份证号": s["pid"][rows].astype(np.int64),
                "服务机构代码": _codes(inst_codes, s["inst"][rows]),
                "服务类型": _codes(np.array(SERVICE_TYPES), s["type"][rows]),
                "服务日期": s["day"][rows],
                "_sender": _codes(inst_codes, s["inst"][rows]),
                "_business_day": business,
                "_update_day": day,
                "_update_second": sec,
                "_record": record,
            },
        )


def build_health_records(config: CityConfig, geo: Geography, people: People) -> HealthRecords:
    """Teams, records, services, contracts and transfers of every B/C institution."""
    with _arrays_from_the_heap():
        result = _Builder(config, geo, people).build()
    for name, frame in result.feeds().items():
        expected = [h for h in FEEDS[name].headers if h != "更新时间"] + list(META_COLUMNS)
        assert list(frame.columns) == expected, (name, list(frame.columns))
        _set_dtypes(name, frame)
    for frame in (
        result.teams_truth,
        result.records_truth,
        result.record_versions_truth,
        result.contracts_truth,
        result.transfers_truth,
    ):
        for column in frame.columns:
            if column.endswith("_day") or column in (
                "update_second",
                "version",
                "status_at_end",
                "status",
                "outcome",
                "reason",
                "reply_delay",
            ):
                frame[column] = frame[column].to_numpy().astype(np.int32)
    return result


# glibc mallopt parameters
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4


@contextlib.contextmanager
def _arrays_from_the_heap() -> Iterator[None]:
    """While building, serve even large arrays from the malloc heap (glibc only).

    A city of scale 1 churns through thousands of temporary arrays of 100 MB; by
    default each is mapped fresh and unmapped when freed, and faulting the pages
    in again cost ~20 s of system time (measured on the 2-core VM).  From the heap,
    freed memory is reused.  Afterwards free memory goes back to the system and
    mapping resumes for arrays over 32 MB (glibc's own ceiling for its adaptive
    threshold).
    """
    try:
        libc = ctypes.CDLL(None)
        mallopt, malloc_trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        yield
        return
    mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    mallopt(M_MMAP_MAX, 0)
    try:
        yield
    finally:
        mallopt(M_MMAP_MAX, 65536)
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024)
        malloc_trim(0)


def _set_dtypes(name: str, frame: pd.DataFrame) -> None:
    """ID columns int64 (person index, -1 blank); dates and meta days/seconds int32
    (``NEVER`` is the int32 maximum); text as ``str`` or categorical ``str`` codes."""
    for column in FEEDS[name].columns:
        if column.kind == "id":
            frame[column.header] = frame[column.header].to_numpy().astype(np.int64)
        elif column.kind == "date":
            frame[column.header] = frame[column.header].to_numpy().astype(np.int32)
    for meta in ("_business_day", "_update_day", "_update_second"):
        frame[meta] = frame[meta].to_numpy().astype(np.int32)
