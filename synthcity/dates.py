"""Integer days (since 1970-01-01) and their text forms, rendered by lookup.

Formatting millions of dates one by one is slow; the distinct days of a city
are few (tens of thousands), so each is formatted once and looked up.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pyarrow as pa

from .config import EPOCH

NEVER = np.iinfo(np.int32).max  # "no such day" (alive, still there)
LONG_AGO = -40_000  # before anyone's records begin


TABLE_FIRST_DAY = (dt.date(1900, 1, 1) - EPOCH).days
TABLE_LAST_DAY = (dt.date(2100, 12, 31) - EPOCH).days


@functools.cache
def _table(fmt: str) -> pa.Array:
    return pa.array(
        [
            (EPOCH + dt.timedelta(days=d)).strftime(fmt)
            for d in range(TABLE_FIRST_DAY, TABLE_LAST_DAY + 1)
        ]
    )


def _lookup(days: np.ndarray, fmt: str) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    valid = (days != NEVER) & (days > LONG_AGO)
    if valid.any() and (days[valid].min() < TABLE_FIRST_DAY or days[valid].max() > TABLE_LAST_DAY):
        raise ValueError("date outside 1900-2100")
    index = np.where(valid, days - TABLE_FIRST_DAY, 0)
    return _table(fmt).take(pa.array(index, mask=~valid))


def iso(days: np.ndarray) -> pa.Array:
    """``YYYY-MM-DD`` (null where the day is NEVER)."""
    return _lookup(days, "%Y-%m-%d")


def compact(days: np.ndarray) -> pa.Array:
    """``YYYYMMDD``."""
    return _lookup(days, "%Y%m%d")


def slashed(days: np.ndarray) -> pa.Array:
    """``YYYY/MM/DD``."""
    return _lookup(days, "%Y/%m/%d")


@functools.cache
def _clock_table() -> pa.Array:
    return pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)])


def clock(seconds: np.ndarray) -> pa.Array:
    """``HH:MM:SS`` of a second of the day."""
    return _clock_table().take(pa.array(np.asarray(seconds, dtype=np.int64) % 86400))


def age_in_years(birth_day: np.ndarray, on_day: np.ndarray | int) -> np.ndarray:
    """Completed years (周岁); a 29 February birthday is reached on 1 March."""
    b = np.asarray(birth_day).astype("datetime64[D]")
    d = np.broadcast_to(np.asarray(on_day), b.shape).astype("datetime64[D]")
    by, dy = b.astype("datetime64[Y]"), d.astype("datetime64[Y]")
    years = dy.astype(np.int64) - by.astype(np.int64)
    # compare month/day, not day-of-year, so leap years do not shift birthdays
    b_month = (b.astype("datetime64[M]") - by.astype("datetime64[M]")).astype(np.int64)
    d_month = (d.astype("datetime64[M]") - dy.astype("datetime64[M]")).astype(np.int64)
    b_dom = (b - b.astype("datetime64[M]")).astype(np.int64)
    d_dom = (d - d.astype("datetime64[M]")).astype(np.int64)
    before_birthday = (d_month < b_month) | ((d_month == b_month) & (d_dom < b_dom))
    return years - before_birthday.astype(np.int64)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later (29 Feb → 1 Mar in common years)."""
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    month = d.astype("datetime64[M]") - y.astype("datetime64[M]")
    dom = d - d.astype("datetime64[M]")
    target_month = (y + years).astype("datetime64[M]") + month
    result = target_month.astype("datetime64[D]") + dom
    # overflow into the next month (29 Feb in a common year) gives 1 March, as wanted
    return result.astype(np.int64)
