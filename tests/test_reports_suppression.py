"""The small-cell rule (indicators.md): numerator 1–4 shown as <5, no rate under denominator 10."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.charts import RateCell
from reports.suppression import (
    format_count,
    format_denominator,
    format_rate,
    is_small_count,
    rate_is_shown,
    shown_rate,
    shown_target_met,
)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 1.0, 4.0])
def test_counts_one_to_four_are_shown_as_less_than_five(count: float) -> None:
    assert is_small_count(count)
    assert format_count(count) == "<5"


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (5, "5"), (12, "12"), (1234, "1,234")])
def test_zero_and_five_or_more_are_shown(count: int, shown: str) -> None:
    assert not is_small_count(count)
    assert format_count(count) == shown


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA])
def test_missing_values_show_a_dash(missing: object) -> None:
    assert format_count(missing) == "—"  # type: ignore[arg-type]
    assert format_rate(50.0, missing) == "—"  # type: ignore[arg-type]
    assert format_rate(missing, 100) == "—"  # type: ignore[arg-type]


def test_rate_withheld_when_denominator_under_ten() -> None:
    # 8 of 9: 88.89% by hand, but a denominator of 9 withholds it
    assert not rate_is_shown(9)
    assert shown_rate(88.89, 9) is None
    assert format_rate(88.89, 9) == "—"
    assert format_denominator(9) == "9"  # the denominator itself stays visible
    # 9 of 10 = 90.00%: shown
    assert rate_is_shown(10)
    assert format_rate(round(100 * 9 / 10, 2), 10) == "90.00%"


def test_rate_with_small_numerator_is_still_shown() -> None:
    # 3 of 40 = 7.50%: the numerator is <5, the rate is shown (the rule withholds only by
    # denominator)
    cell = RateCell("云龙区", 3, 40, round(100 * 3 / 40, 2))
    assert (cell.numerator_text, cell.denominator_text, cell.rate_text) == ("<5", "40", "7.50%")
    assert not cell.suppressed


def test_met_mark_follows_the_rate() -> None:
    assert shown_target_met(True, 9) is None
    assert shown_target_met(False, 10) is False
    assert shown_target_met(pd.NA, 100) is None
    cell = RateCell("贾汪区", 2, 3, round(100 * 2 / 3, 2), target_met=False)
    assert cell.suppressed and cell.met is None and cell.rate_text == "—"
    assert cell.numerator_text == "<5"
