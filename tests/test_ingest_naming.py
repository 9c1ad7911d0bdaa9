"""Delivery names (edge rule 1), case by case."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.naming import BadDeliveryName, parse_delivery_path

CODE = "12320302023WGP2U6C"


@pytest.mark.parametrize(
    ("path", "sender", "day", "seq"),
    [
        (f"eye_check/eye_check_{CODE}_20260315.csv", CODE, dt.date(2026, 3, 15), 1),
        (f"eye_check/202603/x/eye_check_{CODE}_20260315_2.csv", CODE, dt.date(2026, 3, 15), 2),
        (f"birth/birth_{CODE}_20240229_1.xlsx", CODE, dt.date(2024, 2, 29), 1),  # _1 = no suffix
    ],
)
def test_delivery_names(path: str, sender: str, day: dt.date, seq: int) -> None:
    name = parse_delivery_path(path)
    assert (name.sender, name.business_date, name.seq) == (sender, day, seq)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (f"birth/birth_{CODE}_20250431.csv", "not a calendar date"),
        (f"birth/birth_{CODE}_20230229.csv", "not a calendar date"),
        (f"birth/eye_check_{CODE}_20250401.csv", "does not match folder"),
        (f"births/births_{CODE}_20250401.csv", "unknown feed folder"),
        (f"birth/birth-{CODE}-20250401.csv", "does not follow"),
        (f"birth/birth_{CODE}_20250401.CSV", "does not follow"),
        (f"birth/birth_{CODE}_20250401.txt", "does not follow"),
        (f"birth/birth_{CODE}_20250401_0.csv", "does not follow"),
        (f"birth/birth_{CODE.lower()}_20250401.csv", "does not follow"),
        (f"birth_{CODE}_20250401.csv", "not inside a feed folder"),
    ],
)
def test_names_that_are_not_deliveries(path: str, reason: str) -> None:
    with pytest.raises(BadDeliveryName, match=reason):
        parse_delivery_path(path)
