"""The sender registry of edge rule 7: who may deliver.

The union of the valid codes (GB 32100 check character) of every accepted
``institution`` file, plus the commission's own code.  A closed institution
stays registered: it may still deliver late data.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_valid_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters of the charset, check = 31 − (Σ mod 31)."""
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return False
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31] == code[17]


def sender_registry(raw_root: Path, commission_code: str) -> frozenset[str]:
    pattern = str(raw_root / "institution" / "*" / "*.parquet")
    con = duckdb.connect()
    try:
        rows = con.execute(
            "select distinct trim(institution_code) from read_parquet(?, union_by_name = true)"
            " where institution_code is not null",
            [pattern],
        ).fetchall()
    finally:
        con.close()
    return frozenset({commission_code} | {r[0] for r in rows if is_valid_credit_code(r[0])})
