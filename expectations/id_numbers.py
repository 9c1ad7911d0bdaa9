"""GB 11643 ID numbers as delivered → the normalized 18-character person key (edge rule 8).

One rule, two implementations: ``normalize_id`` in Python (tests, small look-ups by other
packages) and ``normalized_id_sql`` as a DuckDB expression, because the gate checks millions
of rows per batch and must not pull them into Python.  The tests hold the two to each other
and to python-stdnum.

Normalization: strip surrounding blanks (U+3000 too), fold full-width digits and
``x``/``Ｘ``/``ｘ`` to ``X``; what is left must be 18 characters (17 digits and a digit or
``X``) whose ISO 7064 MOD 11-2 check character matches, or 15 digits (legacy: ``19`` is
inserted before the birth date and the check character computed).  The 8-digit birth date
must be a real calendar date (year 0001 or later).  A blank inside, or any other character,
makes the number invalid.  The area code is not checked.
"""

from __future__ import annotations

import datetime as dt
import re

# Blanks stripped around a value; the same set in Python and SQL so both agree exactly.
BLANKS = " \t\n\r\x0b\x0c\u00a0\u3000"
_FOLD_FROM = "０１２３４５６７８９xＸｘ"
_FOLD_TO = "0123456789XXX"
_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)
# ISO 7064 MOD 11-2: weight of position i (0-based) is 2^(17 - i) mod 11.
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARS = "10X98765432"
_EIGHTEEN = re.compile(r"[0-9]{17}[0-9X]")
_FIFTEEN = re.compile(r"[0-9]{15}")


def check_char(body: str) -> str:
    """The check character of the first 17 digits of ``body``."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(body[:17], WEIGHTS, strict=True)) % 11]


def _real_date(digits: str) -> bool:
    try:
        dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def normalize_id(text: str | None) -> str | None:
    """The normalized 18-character ID number, or None when ``text`` is not a valid one."""
    if text is None:
        return None
    value = text.strip(BLANKS).translate(_FOLD)
    if _FIFTEEN.fullmatch(value):
        body = value[:6] + "19" + value[6:]
    elif _EIGHTEEN.fullmatch(value):
        body = value[:17]
        if value[17] != check_char(body):
            return None
    else:
        return None
    if not _real_date(body[6:14]):
        return None
    return body + check_char(body)


def sex_of_id(normalized: str) -> str:
    """``1`` (男) when the 17th digit is odd, else ``2`` (女) (GB 11643 order code)."""
    return "1" if int(normalized[16]) % 2 else "2"


def birth_date_of_id(normalized: str) -> dt.date:
    return dt.date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))


# --- DuckDB SQL --------------------------------------------------------------------------
# The expression is built in four steps so a query can compute each once per row
# (row_rules.py puts each step in its own projection); ``normalized_id_sql`` nests them.


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def folded_id_sql(value: str) -> str:
    """Step 1: the delivered text with blanks stripped and full-width forms folded.

    Most IDs arrive canonical and skip ``translate``, which costs ~0.5 µs a row."""
    return (
        f"CASE WHEN regexp_full_match({value}, '[0-9]{{17}}[0-9X]|[0-9]{{15}}') THEN {value}"
        f" ELSE translate(trim({value}, {sql_literal(BLANKS)}), {sql_literal(_FOLD_FROM)},"
        f" '{_FOLD_TO}') END"
    )


def id_body_sql(folded: str) -> str:
    """Step 2: the 17 digits before the check character (15-digit numbers gain ``19``)."""
    return (
        f"CASE WHEN regexp_full_match({folded}, '[0-9]{{17}}[0-9X]') THEN {folded}[1:17]"
        f" WHEN regexp_full_match({folded}, '[0-9]{{15}}')"
        f" THEN {folded}[1:6] || '19' || {folded}[7:15] END"
    )


def check_char_sql(body: str) -> str:
    """Step 3: the check character of a body (NULL for NULL)."""
    terms = " + ".join(f"(ascii({body}[{i + 1}]) - 48) * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr('{CHECK_CHARS}', 1 + ({terms}) % 11, 1)"


def normalized_from_check_sql(folded: str, body: str, check: str) -> str:
    """Step 4: body + check character when the check character and birth date hold, else NULL."""
    return (
        f"CASE WHEN {body} IS NOT NULL"
        f" AND (length({folded}) = 15 OR {folded}[18:18] = {check})"
        f" AND {body}[7:10] <> '0000'"
        f" AND try_strptime({body}[7:14], '%Y%m%d') IS NOT NULL"
        f" THEN {body} || {check} END"
    )


def normalized_id_sql(value: str) -> str:
    """One DuckDB expression: the normalized ID of ``value`` or NULL (nested, for ad-hoc use;
    the row rules compute the steps in separate projections instead)."""
    folded = f"({folded_id_sql(value)})"
    body = f"({id_body_sql(folded)})"
    return normalized_from_check_sql(folded, body, f"({check_char_sql(body)})")
