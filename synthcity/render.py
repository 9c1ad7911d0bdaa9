"""Values to the text an institution's system writes, including its quirks.

A feed frame holds typed values (person indexes, int days, code strings);
this module turns each column into a pyarrow string array the way the
contract allows (and, at configured rates, the way it forbids) and records
every deliberate deviation for the ground truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import dates
from .config import DefectRates, from_day
from .contract import Feed
from .dates import NEVER

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
ALT_UPDATE_FORMATS = (
    "{d:%Y/%m/%d} {t}",
    "{d:%Y-%m-%d}T{t}",
    "{d:%Y%m%d}{t_compact}",
    "{d:%Y-%m-%d} {t_short}",
)


@dataclass
class RowDefects:
    """Row-level deviations: positions within the frame, column, kind, delivered text."""

    rows: list[np.ndarray] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    values: list[list[str]] = field(default_factory=list)

    def add(self, rows: np.ndarray, column: str, kind: str, values: list[str]) -> None:
        if len(rows):
            self.rows.append(np.asarray(rows, dtype=np.int64))
            self.columns.append(column)
            self.kinds.append(kind)
            self.values.append(values)

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame(
                {
                    "row": pd.Series([], dtype="int64"),
                    "column": pd.Series([], dtype=str),
                    "kind": pd.Series([], dtype=str),
                    "delivered": pd.Series([], dtype=str),
                }
            )
        return pd.DataFrame(
            {
                "row": np.concatenate(self.rows),
                "column": np.repeat(self.columns, [len(r) for r in self.rows]),
                "kind": np.repeat(self.kinds, [len(r) for r in self.rows]),
                "delivered": [v for vs in self.values for v in vs],
            }
        )


def replace_rows(array: pa.Array, rows: np.ndarray, values: list[str]) -> pa.Array:
    mask = np.zeros(len(array), dtype=bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")  # replace_with_mask fills in row order
    return pc.replace_with_mask(
        array, pa.array(mask), pa.array([values[i] for i in order], pa.string())
    )


def bad_check(value: str, rng: np.random.Generator) -> str:
    wrong = [c for c in "0123456789X" if c != value[-1]]
    return value[:-1] + wrong[int(rng.integers(0, len(wrong)))]


def render_ids(
    pids: np.ndarray,
    id_numbers: pa.Array,
    birth_years: np.ndarray,
    column: str,
    person_u: np.ndarray,
    rng: np.random.Generator,
    rates: DefectRates,
    defects: RowDefects,
) -> pa.Array:
    """ID numbers as written: per person the system's stored form, per row the typos."""
    pids = np.asarray(pids, dtype=np.int64)
    present = pids >= 0
    text = id_numbers.take(pa.array(np.where(present, pids, 0), mask=~present))
    u = np.where(present, person_u[np.maximum(pids, 0)], 1.0)
    born_19xx = present & (birth_years[np.maximum(pids, 0)] < 2000)
    rows15 = np.flatnonzero(born_19xx & (u < rates.id_15_digit))
    lo = rates.id_15_digit
    rows_fw = np.flatnonzero(present & (u >= lo) & (u < lo + rates.id_full_width))
    lo += rates.id_full_width
    rows_sp = np.flatnonzero(present & (u >= lo) & (u < lo + rates.id_spaces))
    ends_x = present & pc.ends_with(text.fill_null(""), "X").to_numpy(zero_copy_only=False)
    # a second per-person uniform from the first: lower-case x is independent of the other forms
    u_x = np.where(present, person_u[np.maximum(pids, 0)] * 7919 % 1, 1)
    rows_x = np.flatnonzero(ends_x & (u_x < rates.id_lower_x))
    rows_bad = np.flatnonzero(present & (rng.random(len(pids)) < rates.bad_id_check))
    original = text
    done = np.zeros(len(pids), dtype=bool)

    def edit(rows: np.ndarray, kind: str, fn: Callable[[str], str]) -> None:
        nonlocal text
        rows = rows[~done[rows]]
        if len(rows):
            values = [fn(v) for v in original.take(pa.array(rows)).to_pylist()]
            text = replace_rows(text, rows, values)
            defects.add(rows, column, kind, values)
            done[rows] = True

    edit(rows_bad, "id_bad_check", lambda v: bad_check(v, rng))
    edit(rows15, "id_15_digit", lambda v: v[:6] + v[8:17])
    edit(rows_fw, "id_full_width", lambda v: v.translate(FULL_WIDTH))
    edit(rows_sp, "id_spaces", lambda v: (" " if len(v) % 2 else "\u3000") + v + " ")
    edit(rows_x, "id_lower_x", lambda v: v[:-1] + "x")
    return text


DATE_STYLES = (dates.iso, dates.compact, dates.slashed)


def render_dates(days: np.ndarray, style: np.ndarray) -> pa.Array:
    """Dates in the row's style: 0 ``YYYY-MM-DD``, 1 ``YYYYMMDD``, 2 ``YYYY/MM/DD``."""
    days = np.asarray(days, dtype=np.int64)
    style = np.asarray(style, dtype=np.int8)
    used = np.unique(style)
    if len(used) == 1:
        return DATE_STYLES[int(used[0])](days)
    choices = [
        DATE_STYLES[i](days) if i in used else pa.nulls(len(days), pa.string()) for i in range(3)
    ]
    return pc.choose(pa.array(style), *choices)


def render_update_times(
    days: np.ndarray, seconds: np.ndarray, alt_rows: np.ndarray, defects: RowDefects
) -> pa.Array:
    text = pc.binary_join_element_wise(dates.iso(days), dates.clock(seconds), " ")
    if len(alt_rows):
        values = []
        for i, r in enumerate(alt_rows):
            d = from_day(int(days[r]))
            s = int(seconds[r])
            t = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
            fmt = ALT_UPDATE_FORMATS[i % len(ALT_UPDATE_FORMATS)]
            values.append(
                fmt.format(
                    d=dt.datetime(d.year, d.month, d.day),
                    t=t,
                    t_compact=t.replace(":", ""),
                    t_short=t[:5],
                )
            )
        text = replace_rows(text, alt_rows, values)
        defects.add(alt_rows, "更新时间", "alt_datetime_format", values)
    return text


def render_frame(
    feed: Feed,
    frame: pd.DataFrame,
    persons: pd.DataFrame,
    date_style: np.ndarray,
    rng: np.random.Generator,
    rates: DefectRates,
    person_u: np.ndarray,
) -> tuple[dict[str, pa.Array], RowDefects]:
    """Every column of ``frame`` as delivered text; ``date_style`` is the file style per row.

    Hand-entered (incremental) feeds mix date formats row by row; database
    exports (snapshots) keep one format per sender.
    """
    defects = RowDefects()
    n = len(frame)
    out: dict[str, pa.Array] = {}
    id_numbers = pa.array(persons["id_number"].array)
    birth_years = (
        persons["birth_day"]
        .to_numpy()
        .astype("datetime64[D]")
        .astype("datetime64[Y]")
        .astype(np.int64)
        + 1970
    )
    alt_rate = rates.alt_date_format if feed.mode == "incremental" else 0.0
    alt = rng.random(n) < alt_rate
    row_style = np.where(alt, (date_style + 1 + rng.integers(0, 2, n)) % 3, date_style)
    for column in feed.columns:
        name = column.header
        if name == "更新时间":
            alt_rows = np.flatnonzero(alt & (rng.random(n) < 0.5))
            out[name] = render_update_times(
                frame["_update_day"].to_numpy(),
                frame["_update_second"].to_numpy(),
                alt_rows,
                defects,
            )
        elif column.kind == "id":
            out[name] = render_ids(
                frame[name].to_numpy(), id_numbers, birth_years, name, person_u, rng, rates, defects
            )
        elif column.kind == "date":
            days = frame[name].to_numpy().astype(np.int64)
            out[name] = render_dates(days, row_style)
            changed = np.flatnonzero(alt & (days != NEVER))
            if len(changed):
                defects.add(
                    changed, name, "alt_date_format", out[name].take(pa.array(changed)).to_pylist()
                )
        else:
            arr = as_text(frame[name])
            if name in ("性别代码", "性别") and rates.sex_as_text > 0:
                code = arr.fill_null("").to_numpy(zero_copy_only=False)
                rows = np.flatnonzero(
                    (rng.random(n) < rates.sex_as_text) & ((code == "1") | (code == "2"))
                )
                texts = np.where(code[rows] == "1", "男", "女").tolist()
                if len(rows):
                    arr = replace_rows(arr, rows, texts)
                    defects.add(rows, name, "sex_as_text", texts)
            out[name] = arr
    return out, defects


def as_text(values: pd.Series) -> pa.Array:
    """A frame column as a pyarrow string array (zero-copy when it is Arrow-backed already)."""
    if isinstance(values.dtype, pd.ArrowDtype):
        return pa.array(values.array).cast(pa.string())
    return pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)


def csv_field(array: pa.Array, free_text: bool = True) -> pa.Array:
    """RFC 4180: quote a field holding a comma, quote or line break; blank for null.

    Only free text can hold those characters; codes, IDs and dates skip the scan.
    """
    array = array.fill_null("")
    if not free_text:
        return array
    needs = pc.match_substring_regex(array, '[,"\r\n]')
    if not pc.any(needs).as_py():
        return array
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(array, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, array)
