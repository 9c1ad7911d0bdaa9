"""How delivered text is read: blanks, dates, 更新时间 and visual acuity (edge rules 9, 11, 16).

Each reading exists in Python (tests, small look-ups) and as a DuckDB expression (the row
rules over whole batches); the tests hold the two to each other.  Values are read exactly
as delivered: only ID numbers (id_numbers.py) have surrounding blanks stripped, and a value
of blanks only counts as blank.
"""

from __future__ import annotations

import datetime as dt
import re

from .id_numbers import BLANKS, sql_literal

# --- blank ---------------------------------------------------------------------------------


def is_blank(text: str | None) -> bool:
    return text is None or text.strip(BLANKS) == ""


_BLANK_CODES = ", ".join(str(ord(c)) for c in BLANKS)


def blank_sql(value: str) -> str:
    """TRUE for NULL or blanks only.  ``trim`` runs only when the first character is a blank
    (a CASE, so the optimizer cannot reorder the cheap test after it)."""
    return (
        f"(CASE WHEN {value} IS NULL OR {value} = '' THEN true"
        f" WHEN ascii({value}) IN ({_BLANK_CODES}) THEN trim({value}, {sql_literal(BLANKS)}) = ''"
        " ELSE false END)"
    )


# --- dates: YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, a real calendar date ---------------------------

DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[0-9]{8}"
_DATE = re.compile(DATE_PATTERN)


def read_date(text: str | None) -> dt.date | None:
    if text is None or not _DATE.fullmatch(text):
        return None
    digits = text.replace("-", "").replace("/", "")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def date_sql(value: str) -> str:
    """DATE or NULL."""
    branches = " ".join(
        f"WHEN regexp_full_match({value}, '{pattern}') THEN try_strptime({value}, '{fmt}')"
        for pattern, fmt in (
            ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d"),
            ("[0-9]{8}", "%Y%m%d"),
            ("[0-9]{4}/[0-9]{2}/[0-9]{2}", "%Y/%m/%d"),
        )
    )
    return f"CASE WHEN {value}[1:4] <> '0000' THEN CAST(CASE {branches} END AS DATE) END"


# --- 更新时间 (edge rule 11) -----------------------------------------------------------------
# A date in any of the three forms, optionally followed by ' ' or 'T' and HH:MM[:SS[.f]];
# or the form without any separator, YYYYMMDDHHMM[SS[.f]].  Local time, no zone.

DATETIME_PATTERN = (
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[0-9]{8})"
    r"(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
    r"|[0-9]{12}(?:[0-9]{2}(?:\.[0-9]+)?)?"
)
_DATETIME = re.compile(DATETIME_PATTERN)


def read_datetime(text: str | None) -> dt.datetime | None:
    """The local date-time (microseconds at most; further fraction digits are cut)."""
    if text is None or not _DATETIME.fullmatch(text):
        return None
    whole, _, fraction = text.partition(".")
    digits = re.sub(r"[^0-9]", "", whole).ljust(14, "0")
    try:
        return dt.datetime(
            int(digits[0:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
            int(fraction[:6].ljust(6, "0")),
        )
    except ValueError:
        return None


_CANONICAL_DATETIME = "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"


def datetime_sql(value: str) -> str:
    """TIMESTAMP or NULL (the contract's own form takes a short path)."""
    whole = f"regexp_replace({value}, '\\.[0-9]+$', '')"
    digits = f"rpad(regexp_replace({whole}, '[^0-9]', '', 'g'), 14, '0')"
    fraction = f"rpad(coalesce(regexp_extract({value}, '\\.([0-9]+)$', 1), ''), 6, '0')[1:6]"
    return (
        f"CASE WHEN {value}[1:4] = '0000' THEN NULL"
        f" WHEN regexp_full_match({value}, '{_CANONICAL_DATETIME}')"
        f" THEN try_strptime({value}, '%Y-%m-%d %H:%M:%S')"
        f" WHEN regexp_full_match({value}, '{DATETIME_PATTERN}')"
        f" THEN try_strptime({digits}, '%Y%m%d%H%M%S')"
        f" + to_microseconds(CAST({fraction} AS BIGINT)) END"
    )


# --- visual acuity (edge rule 16) ------------------------------------------------------------

FIVE_POINT = (4.0, 5.3)
DECIMAL = (0.1, 2.0)
# 视力记录方式 as the contract lists it: 1 / 5分 five-point, 2 / 小数 decimal.
VA_NOTATIONS: dict[str, tuple[float, float]] = {
    "1": FIVE_POINT,
    "5分": FIVE_POINT,
    "2": DECIMAL,
    "小数": DECIMAL,
}
VA_NOTATION_COLUMN = "va_notation"
NUMBER_PATTERN = r"[0-9]+(?:\.[0-9]+)?"
_NUMBER = re.compile(NUMBER_PATTERN)


def va_is_valid(text: str, notation: str | None) -> bool:
    """A non-blank VA is valid when it lies in its notation's range (a 视力记录方式 that is
    given and in the code set decides), else in either range."""
    if not _NUMBER.fullmatch(text):
        return False
    value = float(text)
    ranges = [VA_NOTATIONS[notation]] if notation in VA_NOTATIONS else [FIVE_POINT, DECIMAL]
    return any(lo <= value <= hi for lo, hi in ranges)


def va_number_sql(value: str) -> str:
    """DOUBLE or NULL: the number when the text is a plain decimal number."""
    return (
        f"CASE WHEN regexp_full_match({value}, '{NUMBER_PATTERN}')"
        f" THEN TRY_CAST({value} AS DOUBLE) END"
    )


def va_valid_sql(number: str, notation: str | None) -> str:
    """TRUE when ``number`` (from ``va_number_sql``) is valid under ``notation`` (a column)."""

    def within(bounds: tuple[float, float]) -> str:
        return f"{number} BETWEEN {bounds[0]} AND {bounds[1]}"

    either = f"({within(FIVE_POINT)} OR {within(DECIMAL)})"
    if notation is None:
        return f"coalesce({either}, false)"
    cases = " ".join(
        f"WHEN {notation} = {sql_literal(code)} THEN {within(bounds)}"
        for code, bounds in VA_NOTATIONS.items()
    )
    return f"coalesce(CASE {cases} ELSE {either} END, false)"
