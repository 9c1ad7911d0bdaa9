"""The small-cell rule for published reports (indicators.md, "Small cells").

In a published report a numerator from 1 to 4 is shown as ``<5`` and a rate whose denominator
is under 10 is not shown. The warehouse tables keep the exact counts; only what a report or
chart *shows* passes through these functions. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from numbers import Real

import pandas as pd

SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 4
MIN_DENOMINATOR_FOR_RATE = 10
SUPPRESSED_COUNT = "<5"
NOT_SHOWN = "—"  # shown where a rate (or a mark derived from it) is withheld or missing

Count = int | float | None


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas.NA count as missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, Real) and math.isnan(float(value))


def is_small_count(count: Count) -> bool:
    """True for a count from 1 to 4: it must be shown as ``<5``."""
    if is_missing(count):
        return False
    assert count is not None
    return SMALL_COUNT_MIN <= count <= SMALL_COUNT_MAX


def rate_is_shown(denominator: Count) -> bool:
    """A rate may be shown only when its denominator is known and at least 10."""
    if is_missing(denominator):
        return False
    assert denominator is not None
    return denominator >= MIN_DENOMINATOR_FOR_RATE


def format_count(count: Count) -> str:
    """A count as published: ``<5`` for 1–4, ``—`` when missing, else with thousands separators.

    Used for numerators and for the action-list counts; denominators are shown as they are
    (the rule withholds the rate of a small denominator, not the denominator itself).
    """
    if is_missing(count):
        return NOT_SHOWN
    if is_small_count(count):
        return SUPPRESSED_COUNT
    assert count is not None
    return f"{int(count):,}"


def format_denominator(denominator: Count) -> str:
    if is_missing(denominator):
        return NOT_SHOWN
    assert denominator is not None
    return f"{int(denominator):,}"


def shown_rate(rate: float | None, denominator: Count) -> float | None:
    """The rate to draw or print, or None when it must not be shown (or is missing)."""
    if is_missing(rate) or not rate_is_shown(denominator):
        return None
    assert rate is not None
    return float(rate)


def format_rate(rate: float | None, denominator: Count, decimals: int = 2) -> str:
    """``92.35%``; ``—`` when the denominator is under 10 or the rate is missing."""
    value = shown_rate(rate, denominator)
    return NOT_SHOWN if value is None else f"{value:.{decimals}f}%"


def shown_target_met(target_met: object, denominator: Count) -> bool | None:
    """Met/not met is derived from the rate, so it is withheld exactly when the rate is."""
    if is_missing(target_met) or not rate_is_shown(denominator):
        return None
    return bool(target_met)
