"""The costly readings of the row rules — ID numbers, dates, 更新时间 — over whole Arrow
columns in numpy, for the gate's large batches.

DuckDB spends most of a population snapshot's gate on them (9.6 M rows: ~16 s for the
17 substrings of the GB 11643 check character alone), while the canonical forms are
fixed-width ASCII that numpy reads as a byte matrix.  Each function returns exactly what
the Python reading returns (``id_numbers.normalize_id``, ``values.read_date``,
``values.read_datetime``), NULL for None: canonical values in numpy, any other value through
the Python function itself (rare in deliveries: other forms of 更新时间), or for ID
numbers with blanks, full-width digits or a lower-case x folded first in Arrow.
The SQL readings remain the definition dbt staging uses; the tests hold all three equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import id_numbers as ids
from . import values as val

BLOCK = 1 << 20  # rows gathered at a time (a block's byte matrix stays ~20 MB)
_WEIGHTS = np.array(ids.WEIGHTS, dtype=np.float32)  # sums < 2^24: exact in float32
_CHECK = np.frombuffer(ids.CHECK_CHARS.encode(), dtype=np.uint8)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_ZERO, _X = ord("0"), ord("X")


def _parts(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets (int64), bytes (uint8) and validity (bool) of a string column."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if isinstance(column, pa.DictionaryArray):
        column = column.dictionary_decode()
    if column.type != pa.large_string():
        column = column.cast(pa.string())
    n = len(column)
    buffers = column.buffers()
    width = np.int64 if column.type == pa.large_string() else np.int32
    start = column.offset * np.dtype(width).itemsize
    offsets = np.frombuffer(buffers[1], dtype=width, count=n + 1, offset=start).astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    valid = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return offsets, data, valid


def _matrix(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes from each start, one row per start (a gather of rows from a
    sliding-window view: no index per byte)."""
    if len(data) < width:
        return np.zeros((0, width), dtype=np.uint8)
    return np.lib.stride_tricks.sliding_window_view(data, width)[starts]


def _values(m: np.ndarray) -> np.ndarray:
    """Byte - '0': a digit's value, anything else >= 10 (uint8 wraps around)."""
    return np.subtract(m, np.uint8(_ZERO))


def _digits(d: np.ndarray) -> np.ndarray:
    """Rows of ``_values`` that are all digits."""
    return np.asarray((d < 10).all(axis=1))


def _number(d: np.ndarray) -> np.ndarray:
    """The decimal number of each row of digit values."""
    out = d[:, 0].astype(np.int64)
    for i in range(1, d.shape[1]):
        out = out * 10 + d[:, i]
    return out


def _real_date(y: np.ndarray, mo: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Year 1-9999, month 1-12, a day of that month (the proleptic Gregorian calendar)."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_ok = (mo >= 1) & (mo <= 12)
    last = _DAYS[np.where(month_ok, mo, 0)] + ((mo == 2) & leap)
    return (y >= 1) & month_ok & (d >= 1) & (d <= last)


def _days_from_civil(y: np.ndarray, mo: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (H. Hinnant's algorithm), for real dates."""
    y = y - (mo <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (mo + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _fallback(
    column: pa.Array | pa.ChunkedArray, rows: np.ndarray, read: Callable[[str], Any]
) -> list[Any]:
    """``read`` of each of ``rows`` (valid rows only), in Python."""
    if not len(rows):
        return []
    taken = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
    return [read(v) for v in taken.take(pa.array(rows)).to_pylist()]


def _canonical_ids(
    column: pa.Array | pa.ChunkedArray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value: canonical (18 digits or 17 and X, or 15 digits), valid (check character
    and birth date hold) and the normalized 18 bytes of the valid ones."""
    offsets, data, valid = _parts(column)
    n = len(valid)
    lengths = np.diff(offsets)
    out = np.zeros((n, 18), dtype=np.uint8)
    good = np.zeros(n, dtype=bool)
    canonical = np.zeros(n, dtype=bool)
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        for width in (18, 15):
            rows = lo + np.flatnonzero(valid[lo:hi] & (lengths[lo:hi] == width))
            if not len(rows):
                continue
            m = _matrix(data, offsets[rows], width)
            d = _values(m)
            if width == 18:
                match = _digits(d[:, :17]) & ((d[:, 17] < 10) | (m[:, 17] == _X))
                body = d[:, :17]
            else:
                match = _digits(d)
                nineteen = np.full((len(m), 2), [1, 9], np.uint8)
                body = np.concatenate([d[:, :6], nineteen, d[:, 6:]], axis=1)
            if not match.all():
                rows, m, body = rows[match], m[match], body[match]
            canonical[rows] = True
            check = _CHECK[(body.astype(np.float32) @ _WEIGHTS).astype(np.int64) % 11]
            year, month = _number(body[:, 6:10]), _number(body[:, 10:12])
            ok = _real_date(year, month, _number(body[:, 12:14]))
            if width == 18:
                ok &= m[:, 17] == check
            if not ok.all():
                rows, m, body, check = rows[ok], m[ok], body[ok], check[ok]
            if width == 18:  # a valid canonical number is its own normalized form
                out[rows] = m
            else:
                out[rows, :17] = body + np.uint8(_ZERO)
                out[rows, 17] = check
            good[rows] = True
    return canonical, good, out


def _fold(column: pa.Array) -> pa.Array:
    """``str.strip(BLANKS).translate`` of id_numbers.normalize_id, in Arrow."""
    folded = pc.utf8_trim(column, characters=ids.BLANKS)
    for wide, narrow in zip(ids._FOLD_FROM, ids._FOLD_TO, strict=True):
        folded = pc.replace_substring(folded, wide, narrow)
    return folded


def normalized_ids(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``id_numbers.normalize_id`` of every value: the 18-character key or NULL.

    Canonical values are read as they are; the others (blanks around, full-width digits,
    a lower-case x) are folded first, as normalize_id folds them, and read the same way."""
    canonical, good, out = _canonical_ids(column)
    valid = np.asarray(column.is_valid(), dtype=bool)
    rest = np.flatnonzero(valid & ~canonical)
    if len(rest):
        taken = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
        _, folded_good, folded = _canonical_ids(_fold(taken.take(pa.array(rest)).combine_chunks()))
        good[rest] = folded_good
        out[rest] = folded
    n = len(good)
    new_offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(good * 18, out=new_offsets[1:])
    return pa.StringArray.from_buffers(
        n,
        pa.py_buffer(new_offsets),
        pa.py_buffer(out[good].tobytes()),
        pa.py_buffer(np.packbits(good, bitorder="little")),
    )


def _date_parts(
    data: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, valid: np.ndarray, lo: int, hi: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per date form of ``values.DATE_PATTERN`` in rows lo…hi: (rows, matrix, y, m, d)."""
    found = []
    for width in (10, 8):
        rows = lo + np.flatnonzero(valid[lo:hi] & (lengths[lo:hi] == width))
        if not len(rows):
            continue
        m = _matrix(data, offsets[rows], width)
        v = _values(m)
        if width == 8:
            match = _digits(v)
            y, mo, d = v[:, 0:4], v[:, 4:6], v[:, 6:8]
        else:
            sep = m[:, 4]
            match = (
                _digits(v[:, [0, 1, 2, 3, 5, 6, 8, 9]])
                & ((sep == ord("-")) | (sep == ord("/")))
                & (m[:, 7] == sep)
            )
            y, mo, d = v[:, 0:4], v[:, 5:7], v[:, 8:10]
        found.append(
            (rows[match], m[match], _number(y[match]), _number(mo[match]), _number(d[match]))
        )
    return found


def dates(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values.read_date`` of every value (the three forms are fixed-width: no fallback)."""
    offsets, data, valid = _parts(column)
    n = len(valid)
    lengths = np.diff(offsets)
    days = np.zeros(n, dtype=np.int32)
    good = np.zeros(n, dtype=bool)
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        for rows, _, y, mo, d in _date_parts(data, offsets, lengths, valid, lo, hi):
            ok = _real_date(y, mo, d)
            days[rows[ok]] = _days_from_civil(y[ok], mo[ok], d[ok])
            good[rows[ok]] = True
    return pa.Array.from_buffers(
        pa.date32(), n, [pa.py_buffer(np.packbits(good, bitorder="little")), pa.py_buffer(days)]
    )


def datetimes(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values.read_datetime`` of every value: YYYY-MM-DD HH:MM:SS in numpy, other forms
    in Python."""
    offsets, data, valid = _parts(column)
    n = len(valid)
    lengths = np.diff(offsets)
    micros = np.zeros(n, dtype=np.int64)
    good = np.zeros(n, dtype=bool)
    fast = np.zeros(n, dtype=bool)
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        rows = lo + np.flatnonzero(valid[lo:hi] & (lengths[lo:hi] == 19))
        if not len(rows):
            continue
        m = _matrix(data, offsets[rows], 19)
        v = _values(m)
        match = (
            _digits(v[:, [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]])
            & (m[:, 4] == ord("-"))
            & (m[:, 7] == ord("-"))
            & (m[:, 10] == ord(" "))
            & (m[:, 13] == ord(":"))
            & (m[:, 16] == ord(":"))
        )
        rows, v = rows[match], v[match]
        fast[rows] = True
        y, mo, d = _number(v[:, 0:4]), _number(v[:, 5:7]), _number(v[:, 8:10])
        h, mi, s = _number(v[:, 11:13]), _number(v[:, 14:16]), _number(v[:, 17:19])
        ok = _real_date(y, mo, d) & (h < 24) & (mi < 60) & (s < 60)
        seconds = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
        micros[rows[ok]] = seconds[ok] * 1_000_000
        good[rows[ok]] = True
    slow = np.flatnonzero(valid & ~fast)
    epoch = dt.datetime(1970, 1, 1)
    for row, value in zip(slow, _fallback(column, slow, val.read_datetime), strict=True):
        if value is not None:
            micros[row] = (value - epoch) // dt.timedelta(microseconds=1)
            good[row] = True
    return pa.Array.from_buffers(
        pa.timestamp("us"),
        n,
        [pa.py_buffer(np.packbits(good, bitorder="little")), pa.py_buffer(micros)],
    )
