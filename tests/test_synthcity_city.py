"""The generated city behaves like Xuzhou: population, births, deaths, moves, child vision.

Expected figures come from ../shared/reference/xuzhou-population.md and the
national eye-care norm; tolerances are stated next to each check. All
figures are recomputed here from the ground truth, not taken from the generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import City

DISTRICT_WEIGHTS = {
    "320302": 70,
    "320303": 45,
    "320305": 48,
    "320311": 62,
    "320312": 132,
    "320321": 95,
    "320322": 112,
    "320324": 102,
    "320381": 92,
    "320382": 143,
}


def completed_years(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    b = pd.to_datetime(birth)
    before_birthday = (b.dt.month > on.month) | ((b.dt.month == on.month) & (b.dt.day > on.day))
    return on.year - b.dt.year - before_birthday.astype(int)


@pytest.fixture(scope="module")
def persons(demo_city: City) -> pd.DataFrame:
    return demo_city.truth("persons")


@pytest.fixture(scope="module")
def residents_at_start(demo_city: City, persons: pd.DataFrame) -> pd.DataFrame:
    """Residents (常住) on the first day with their district, as the population database shows."""
    start = pd.Timestamp(demo_city.config.start)
    r = demo_city.truth("residence")
    frm, to = pd.to_datetime(r["from_day"]), pd.to_datetime(r["to_day"])
    current = (frm.isna() | (frm <= start)) & (to.isna() | (to > start))  # null: open-ended
    now = r[current & (r["resident"] == 1)]
    out = now.merge(persons, on="pid")
    alive = out["death_day"].isna() | (pd.to_datetime(out["death_day"]) > start)
    return out[alive]


def test_resident_population_is_the_census_figure_times_the_scale(
    demo_city: City, residents_at_start: pd.DataFrame
) -> None:
    expected = 9_083_790 * demo_city.config.scale
    assert abs(len(residents_at_start) / expected - 1) < 0.03  # within 3%


def test_districts_are_weighted_by_their_residents(residents_at_start: pd.DataFrame) -> None:
    share = residents_at_start["street_code"].str[:6].value_counts(normalize=True)
    weights = pd.Series(DISTRICT_WEIGHTS, dtype=float)
    expected = weights / weights.sum()
    assert set(share.index) == set(expected.index)
    assert ((share - expected).abs() < 0.012).all(), (share - expected).round(3).to_dict()


def test_age_pyramid_and_sex_ratio(demo_city: City, residents_at_start: pd.DataFrame) -> None:
    age = completed_years(residents_at_start["birth_day"], pd.Timestamp(demo_city.config.start))
    assert 0.065 < (age < 7).mean() < 0.085  # 0-6: about 7-8% (reference)
    assert 0.18 < (age < 15).mean() < 0.23  # census 22.4% in 2020, fewer births since
    assert 0.17 < (age >= 60).mean() < 0.24  # census 19.5% in 2020, ageing since
    assert 0.49 < (residents_at_start["sex"] == 1).mean() < 0.515  # 50.41% men


def test_births_deaths_and_moves_per_year(
    demo_city: City, persons: pd.DataFrame, residents_at_start: pd.DataFrame
) -> None:
    n = len(residents_at_start)
    years = demo_city.config.years
    born = (persons["origin"] == "born").sum()
    start, end = pd.Timestamp(demo_city.config.start), pd.Timestamp(demo_city.config.end)
    died = pd.to_datetime(persons["death_day"]).between(start, end).sum()
    assert 8.0 < born / n / years * 1000 < 11.0  # crude birth rate 9-11 per 1000
    assert 5.5 < died / n / years * 1000 < 9.5  # crude death rate about 7.5 per 1000
    r = demo_city.truth("residence")
    spells = r.groupby("pid")["street_code"].nunique()
    movers = spells[spells > 1].index
    assert 0.025 < len(movers) / n / years < 0.055  # about 4% move street each year
    moved_district = r[r["pid"].isin(movers)].groupby("pid")["district_idx"].nunique()
    assert 0.25 < (moved_district > 1).mean() < 0.55  # about 40% of moves cross districts
    non_resident = (persons["origin"] == "non_resident").sum() / n
    assert 0.04 < non_resident < 0.08  # 常住标志 0 in the population database


def test_ids_are_unique_and_carry_birth_date_and_sex(persons: pd.DataFrame) -> None:
    from stdnum.cn import ric

    assert persons["id_number"].is_unique
    sample = persons.sample(2000, random_state=1)
    for pid_number, birth, sex in sample[["id_number", "birth_day", "sex"]].itertuples(index=False):
        assert ric.calc_check_digit(pid_number) == pid_number[-1]
        assert pid_number[6:14] == pd.Timestamp(birth).strftime("%Y%m%d")
        assert int(pid_number[16]) % 2 == (1 if sex == 1 else 0)


def test_twins_and_mothers(persons: pd.DataFrame) -> None:
    twins = persons[persons["twin_of"] >= 0]
    sibling = persons.set_index("pid").loc[twins["twin_of"]]
    assert len(twins) > 10
    assert (twins["birth_day"].to_numpy() == sibling["birth_day"].to_numpy()).all()
    assert (twins["mother_pid"].to_numpy() == sibling["mother_pid"].to_numpy()).all()
    assert (
        twins["sex"].to_numpy() == sibling["sex"].to_numpy()
    ).mean() > 0.5  # same-sex twins common
    young = persons[pd.to_datetime(persons["birth_day"]) > pd.Timestamp("2019-01-01")]
    assert (young["mother_pid"] >= 0).mean() > 0.95


@pytest.fixture(scope="module")
def checks(demo_city: City, persons: pd.DataFrame) -> pd.DataFrame:
    c = demo_city.truth("eye_checks").merge(persons[["pid", "birth_day"]], on="pid")
    c["age"] = _ages(c["birth_day"], c["check_day"])
    return c


def _ages(birth: pd.Series, day: pd.Series) -> np.ndarray:
    b, d = pd.to_datetime(birth), pd.to_datetime(day)
    before = (b.dt.month > d.dt.month) | ((b.dt.month == d.dt.month) & (b.dt.day > d.dt.day))
    return (d.dt.year - b.dt.year - before.astype(int)).to_numpy()


def test_va_is_measured_only_from_age_three(checks: pd.DataFrame) -> None:
    measured = checks["va_right"] >= 0
    assert (checks.loc[measured, "age"] >= 3).all()
    assert measured[checks["age"] >= 4].mean() > 0.8


def test_six_year_olds_poor_vision_share(checks: pd.DataFrame) -> None:
    six = checks[(checks["age"] == 6) & (checks["va_right"] >= 0) & checks["follow_up_of"].isna()]
    low = np.minimum(six["va_right"], six["va_left"])
    poor = (low <= 49) | ((six["va_right"] - six["va_left"]).abs() >= 2)
    assert 0.10 < poor.mean() < 0.30  # national surveys: 6-year-old poor vision roughly 15-25%


def test_coverage_varies_by_district_with_some_under_target(
    demo_city: City, residents_at_start: pd.DataFrame, checks: pd.DataFrame
) -> None:
    start, end = pd.Timestamp(demo_city.config.start), pd.Timestamp(demo_city.config.end)
    kids = residents_at_start[
        _ages(residents_at_start["birth_day"], pd.Series(start, index=residents_at_start.index)) < 6
    ]
    in_period = checks[pd.to_datetime(checks["check_day"]).between(start, end)]
    checked = kids["pid"].isin(in_period["pid"])
    by_district = checked.groupby(kids["street_code"].str[:6]).mean()
    assert 0.80 < checked.mean() < 0.97
    assert (by_district < 0.90).any() and (by_district >= 0.90).any(), by_district.round(
        3
    ).to_dict()


def test_abnormal_children_are_mostly_followed_up_within_30_days(checks: pd.DataFrame) -> None:
    flagged = checks[checks["advice"] > 0]
    follow = checks[checks["follow_up_of"].notna()]
    first_follow = follow.groupby(["follow_up_institution", "follow_up_of"])["check_day"].min()
    key = pd.MultiIndex.from_arrays([flagged["institution"], flagged["record_no"]])
    gap = (
        pd.to_datetime(first_follow.reindex(key).to_numpy())
        - pd.to_datetime(flagged["check_day"]).to_numpy()
    )
    within = pd.Series(gap).dt.days.le(30)
    never = pd.Series(gap).isna()
    assert 0.65 < within.mean() < 0.88  # most within 30 days
    assert 0.05 < never.mean() < 0.30  # some never (and some whose window ran past the period)
    assert set(flagged["advice"]) == {1, 2}


def test_infants_are_checked_before_they_have_an_id(demo_city: City, checks: pd.DataFrame) -> None:
    early = checks[checks["stage"].isin(["新生儿", "满月"])]
    assert (~early["has_id_on_row"]).mean() > 0.8
    births = demo_city.truth("births")
    filled = births["child_id_filled_day"].notna()
    assert 0.9 < filled.mean() < 0.99  # most certificates later get the child's ID


def test_kindergarten_rosters_and_school_entry(demo_city: City, persons: pd.DataFrame) -> None:
    enrol = demo_city.truth("enrolments").merge(persons[["pid", "birth_day"]], on="pid")
    ages = _ages(enrol["birth_day"], enrol["roster_day"])
    assert ((ages >= 2) & (ages <= 6)).all()
    first = enrol[enrol["roster_day"] == enrol["roster_day"].min()]
    assert first["kg_code"].nunique() == len(demo_city.truth("kindergartens"))
    files = demo_city.truth("deliveries")
    assert {"kg_roster", "school_entry"} <= set(files.loc[files["format"] == "xlsx", "feed"])
