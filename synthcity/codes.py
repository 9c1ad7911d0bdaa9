"""Check characters of the national code standards the extracts carry.

Scalar functions are the readable reference; the ``*_array`` versions do the
same arithmetic on numpy arrays so the generator can mint millions of codes
without a Python loop.
"""

from __future__ import annotations

import numpy as np

# GB 11643-1999 (ISO 7064 MOD 11-2): weights of the 17 body digits.
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK_CHARS = "10X98765432"

# GB 32100-2015 unified social credit code.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array(
    [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64
)

# GB 11714-1997 organization code (positions 9-17 of the credit code).
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(body17: str) -> str:
    """Check character of an 18-digit ID number from its first 17 digits."""
    total = sum(int(d) * int(w) for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_check_chars_array(bodies: np.ndarray) -> np.ndarray:
    """Vectorized :func:`id_check_char` for an array of 17-digit strings."""
    digits = np.frombuffer(np.asarray(bodies, dtype="S17").tobytes(), dtype=np.uint8).reshape(
        -1, 17
    ) - ord("0")
    totals = digits.astype(np.int64) @ ID_WEIGHTS
    return np.array(list(ID_CHECK_CHARS))[totals % 11]


def id_15_to_18(id15: str) -> str:
    """Legacy 15-digit ID to 18 digits: ``19`` before the birth date, check added."""
    body = id15[:6] + "19" + id15[6:]
    return body + id_check_char(body)


def uscc_check_char(body17: str) -> str:
    """Check character of a unified social credit code (GB 32100) from its body."""
    total = sum(USCC_CHARSET.index(c) * int(w) for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    value = 31 - total % 31
    return USCC_CHARSET[0 if value == 31 else value]


def org_code_check_char(body8: str) -> str:
    """Check character of an organization code (GB 11714) from its 8-character body."""
    total = sum(ORG_CHARSET.index(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(registry_prefix: str, area_code: str, org_body8: str) -> str:
    """A full credit code: 2-char registry prefix, 6-digit area, org code, check."""
    body = registry_prefix + area_code + org_body8 + org_code_check_char(org_body8)
    return body + uscc_check_char(body)
