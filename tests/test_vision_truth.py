"""The VIS_* indicators of the warehouse against an oracle computed from the generator's truth.

The oracle (tests/oracle/vision.py) rebuilds "what the warehouse can know" from the truth
tables and the spec alone, never from the warehouse, the raw zone or the dbt SQL. A
mismatch prints which indicator, period and unit differ, with both sides' numerator and
denominator, so the cause can be traced (see the oracle's docstrings for the rules).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.oracle.vision import (
    INDICATORS,
    VisionTruth,
    age_years,
    day_of,
    five_point_tenths,
    known_checks,
    periods,
    population_at,
    shows_poor_vision,
    tied_same_day,
    vision_results,
)

KEY = ["indicator_code", "period_label", "level", "unit_code"]
YEAR_END = day_of(dt.date(2026, 9, 30))
YEAR_START = day_of(dt.date(2025, 10, 1))


@pytest.fixture(scope="module")
def truth(demo_city) -> VisionTruth:
    return VisionTruth.from_city(demo_city)


@pytest.fixture(scope="module")
def oracle(truth) -> pd.DataFrame:
    return vision_results(truth)


def _rate(frame: pd.DataFrame) -> pd.Series:
    return (100 * frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)).round(
        2
    )


# -- the oracle on its own ------------------------------------------------------------------


def test_oracle_is_plausible(truth, oracle):
    """The oracle's city figures, printed, and near what the generator was configured for."""
    assert known_checks(truth).ambiguous_versions == 0  # latest version = highest version
    assert tied_same_day(truth).empty  # no 更新时间 tie-break reaches an indicator
    city = oracle[oracle["level"] == "city"].assign(rate=_rate)
    shown = city[city["period_label"].isin(["2026", "2025-10", "2026-03"])]
    print("\n" + shown.drop(columns=["level", "unit_code", "district_code"]).to_string())
    year = city[city["period_label"] == "2026"].set_index("indicator_code")["rate"]
    # district participation is drawn in 84-99% per visit (synthcity.vision), 2% hard to reach
    assert 80 <= year["VIS_COV"] <= 95
    assert 80 <= year["VIS_KG_COV"] <= 95
    # 80% followed up within 30 days; follow-ups that still show poor vision flag again
    assert 65 <= year["VIS_FOLLOWUP"] <= 90
    assert 5 <= year["VIS_POOR_6"] <= 30
    assert year["VIS_SCHOOL_LINK"] >= 90
    # year-to-date: the year equals its last quarter and its last month
    for label in ("2026Q4", "2026-09"):
        same = city[city["period_label"] == label].set_index("indicator_code")
        base = city[city["period_label"] == "2026"].set_index("indicator_code")
        pd.testing.assert_frame_equal(
            same[["numerator", "denominator"]], base[["numerator", "denominator"]]
        )
    # the city is the sum of its districts for the person-level indicators
    districts = oracle[oracle["level"] == "district"]
    for code in ("VIS_COV", "VIS_POOR_6", "VIS_FOLLOWUP", "VIS_SCHOOL_LINK"):
        summed = districts[districts["indicator_code"] == code].groupby("period_label")[
            ["numerator", "denominator"]
        ]
        got = city[city["indicator_code"] == code].set_index("period_label")
        pd.testing.assert_frame_equal(
            summed.sum().sort_index(),
            got[["numerator", "denominator"]].sort_index(),
            check_names=False,
        )


def test_demo_city_holds_the_edge_cases(truth):
    """The issue's edge cases, counted in what the warehouse can know (each at least once)."""
    checks = known_checks(truth).checks
    linked = checks[checks["person"] >= 0]
    in_year = linked[(linked["day"] >= YEAR_START) & (linked["day"] <= YEAR_END)]
    birth = truth.birth
    persons = truth.persons

    # a child checked in the year before turning 7 and turning 7 inside the year
    seventh = age_years(birth[in_year["person"].to_numpy()], YEAR_END) >= 7
    turns_7 = in_year[seventh & (in_year["age"] < 7)]["person"].nunique()

    # a check on the last day of the statistical year
    last_day = int((in_year["day"] == YEAR_END).sum())

    # a checked child whose district changes between two population snapshots in the year
    districts = pd.concat(
        [
            population_at(truth, p.end_day).assign(label=p.period_label)
            for p in periods().itertuples()
            if p.period_type == "month"
        ]
    )
    young = districts[districts["pid"].isin(in_year["person"])]
    movers = int((young.groupby("pid")["district_code"].nunique() > 1).sum())

    # an infant without a usable ID linked through the mother's birth record
    via_mother = int(linked["link_method"].str.startswith("birth_record").sum())

    # same-sex twins among the checked children
    twin_of = persons["twin_of"].to_numpy()
    sex = persons["sex"].to_numpy()
    twin = np.flatnonzero((twin_of >= 0) & (sex == sex[np.maximum(twin_of, 0)]))
    same_sex_twins = int(np.isin(twin, linked["person"]).sum())

    # a VA delivered in decimal notation
    decimal_va = int((linked["decimal_notation"] & linked["measures_va"]).sum())

    # a 4-year-old at exactly 4.8 in an eye (poor at 4: VA <= 4.8)
    at_4_8 = linked[(linked["age"] == 4) & ((linked["right"] == 48) | (linked["left"] == 48))]

    counts = {
        "child turning 7 in the year": turns_7,
        "check on 2026-09-30": last_day,
        "checked child moving between districts": movers,
        "infant check linked through the mother": via_mother,
        "same-sex twins checked": same_sex_twins,
        "decimal VA checks": decimal_va,
        "4-year-old checks at exactly 4.8": len(at_4_8),
        "... of them poor": int(at_4_8["poor"].sum()),
    }
    print("\n" + "\n".join(f"{k:<42}{v:>7}" for k, v in counts.items()))
    missing = [k for k, v in counts.items() if v < 1]
    assert not missing, f"the demo city lacks: {missing}"


def test_oracle_helpers_follow_rules_15_and_16():
    leap = day_of(dt.date(2020, 2, 29))
    on = [day_of(dt.date(2026, 2, 28)), day_of(dt.date(2026, 3, 1))]
    assert list(age_years(np.array([leap, leap]), np.array(on))) == [5, 6]  # rule 15
    assert [five_point_tenths(v) for v in ("0.9", "0.6", "0.12", "1.5")] == [50, 48, 41, 52]
    age = np.array([4, 4, 4, 6, 6, 7, 2])
    right = np.array([48, 49, 51, 49, 50, 40, 40])
    left = np.array([50, 49, 49, 50, 50, 40, -1])
    # 4.8 at 4 is poor; 4.9/4.9 at 4 is not; two lines apart is; 4.9 at 6 is; 7 and 2 have
    # no threshold
    assert list(shows_poor_vision(age, right, left)) == [
        True,
        False,
        True,
        True,
        False,
        False,
        False,
    ]


# -- oracle against the warehouse --------------------------------------------------------------


def _warehouse_results(built_demo) -> pd.DataFrame:
    path = built_demo.data_root / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(
            "select indicator_code, period_type, period_label, level, unit_code, district_code, "
            "numerator, denominator from indicators.indicator_results "
            "where indicator_code like 'VIS_%'"
        ).df()


def compare(oracle: pd.DataFrame, warehouse: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    """Rows whose numerator or denominator differ; a row missing on one side counts 0/0."""
    o = oracle[oracle["level"].isin(levels)].set_index(KEY)[["numerator", "denominator"]]
    w = warehouse[warehouse["level"].isin(levels)].set_index(KEY)[["numerator", "denominator"]]
    both = o.merge(
        w, how="outer", left_index=True, right_index=True, suffixes=("_oracle", "_warehouse")
    )
    both = both.fillna(0).astype("int64")
    differs = (both["numerator_oracle"] != both["numerator_warehouse"]) | (
        both["denominator_oracle"] != both["denominator_warehouse"]
    )
    out = both[differs].reset_index()
    out["num_diff"] = out["numerator_warehouse"] - out["numerator_oracle"]
    out["den_diff"] = out["denominator_warehouse"] - out["denominator_oracle"]
    return out


def _report(diff: pd.DataFrame) -> str:
    by = diff.groupby(["indicator_code", "level"]).size().rename("rows differing")
    periods_order = {p: i for i, p in enumerate(periods()["period_label"])}
    shown = diff.sort_values(
        ["indicator_code", "level", "period_label", "unit_code"],
        key=lambda s: s.map(periods_order) if s.name == "period_label" else s,
    )
    return (
        f"\n{len(diff)} result rows differ (warehouse - oracle):\n{by.to_string()}\n\n"
        + shown.head(80).to_string(index=False)
    )


def test_vision_indicators_match_warehouse(oracle, built_demo):
    """Every VIS_* result, city and district, every period: numerator and denominator."""
    warehouse = _warehouse_results(built_demo)
    assert set(warehouse["indicator_code"]) >= set(INDICATORS)
    diff = compare(oracle, warehouse, ["city", "district"])
    assert diff.empty, _report(diff)


def test_vision_unit_levels_match_warehouse(oracle, built_demo):
    """VIS_KG_COV per kindergarten and VIS_SCHOOL_LINK per school."""
    warehouse = _warehouse_results(built_demo)
    diff = compare(oracle, warehouse, ["kindergarten", "school"])
    assert diff.empty, _report(diff)
