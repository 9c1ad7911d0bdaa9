"""Check characters agree with python-stdnum's independent implementations and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from stdnum.cn import ric, uscc

from synthcity.codes import (
    id_15_to_18,
    id_check_char,
    id_check_chars_array,
    make_uscc,
    org_code_check_char,
    uscc_check_char,
)


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("11010519491231002", "X"),  # the example of GB 11643-1999
        ("32031119900101123", "X"),
        ("32030220200229002", "1"),  # born on 29 February
        ("32038219810101001", "6"),  # Σ = 204, 204 mod 11 = 6 → "6"
    ],
)
def test_id_check_char_hand_cases(body: str, check: str) -> None:
    assert id_check_char(body) == check
    assert ric.calc_check_digit(body + check) == check


def test_id_check_chars_array_matches_stdnum_on_random_bodies() -> None:
    rng = np.random.default_rng(7)
    bodies = np.array(["".join(map(str, rng.integers(0, 10, 17))) for _ in range(5000)])
    checks = id_check_chars_array(bodies)
    for body, check in zip(bodies, checks, strict=True):
        assert ric.calc_check_digit(body + check) == check


def test_15_digit_id_gains_19_and_a_check_char() -> None:
    assert id_15_to_18("110105491231002") == "11010519491231002X"


def test_credit_codes_match_stdnum() -> None:
    assert uscc.is_valid("12320300MB1234567H")  # the contract's example file name
    assert uscc_check_char("12320300MB1234567") == "H"
    assert org_code_check_char("D2143569") == "X"  # GB 11714's own example, D2143569-X
    rng = np.random.default_rng(3)
    charset = list("0123456789ABCDEFGHJKLMNPQRTUWXY")
    for _ in range(2000):
        code = make_uscc("12", "320311", "".join(rng.choice(charset, 8)))
        assert uscc.is_valid(code), code
        assert uscc.calc_check_digit(code[:17]) == code[-1]
