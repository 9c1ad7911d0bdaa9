"""Health-record indicators and worklists: the warehouse against the city's ground truth.

The oracle (tests/oracle/health_records.py) recomputes EHR_* and the worklists from
the generator's truth tables in pandas, independently of the dbt models; here both are
compared exactly at several calendar period ends (months, quarters, the year), level by
level: city, every district, every institution (EHR_USE and EHR_PLACED by managing
institution, EHR_XFER_TIMELY by 迁出机构) and every team (EHR_PLACED by managing team).

``XZH_TRUTH_WAREHOUSE=<path to warehouse.duckdb>`` compares an already built warehouse
(e.g. a private copy) instead of the ``built_demo`` fixture's.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.oracle import health_records as hr

PERIOD_ENDS = [
    dt.date(2025, 12, 31),
    dt.date(2026, 3, 31),
    dt.date(2026, 6, 30),
    dt.date(2026, 9, 30),
]
CITY_START, CITY_END = dt.date(2025, 10, 1), dt.date(2026, 9, 30)
KEY = ["indicator_code", "period_type", "period_label", "level", "unit_code"]
LEVELS = ["city", "district", "institution", "team"]


@pytest.fixture(scope="session")
def oracle(demo_city) -> hr.HealthRecordTruth:
    return hr.HealthRecordTruth(demo_city.root)


@pytest.fixture(scope="session")
def expected(oracle):
    """The oracle's EHR_* rows for every period ending on a date, computed once per date."""
    cache: dict[dt.date, pd.DataFrame] = {}

    def at(end: dt.date) -> pd.DataFrame:
        if end not in cache:
            frames = [hr.indicators(oracle, kind, end) for kind in hr.period_types(end)]
            cache[end] = pd.concat(frames, ignore_index=True)
        return cache[end]

    return at


@pytest.fixture(scope="session")
def warehouse(request) -> Path:
    path = os.environ.get("XZH_TRUTH_WAREHOUSE")
    if path:
        return Path(path)
    return request.getfixturevalue("built_demo").data_root / "warehouse.duckdb"


def _query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).df()


def _warehouse_indicators(
    path: Path, levels: tuple[str, ...] = ("city", "district")
) -> pd.DataFrame:
    in_levels = ", ".join(f"'{level}'" for level in levels)
    w = _query(
        path,
        f"select {', '.join(KEY)}, numerator, denominator from indicators.indicator_results "
        f"where period_basis = 'calendar' and level in ({in_levels})",
    )
    assert not w.empty, "indicators.indicator_results has no health-record (calendar) rows"
    return w


def _diff(oracle: pd.DataFrame, warehouse: pd.DataFrame) -> pd.DataFrame:
    m = oracle.merge(warehouse, on=KEY, how="outer", suffixes=("_oracle", "_wh"), indicator=True)
    m["_merge"] = m["_merge"].cat.rename_categories(
        {"left_only": "oracle only", "right_only": "warehouse only"}
    )
    bad = (
        (m["_merge"] != "both")
        | (m["numerator_oracle"] != m["numerator_wh"])
        | (m["denominator_oracle"] != m["denominator_wh"])
    )
    columns = ["numerator_oracle", "numerator_wh", "denominator_oracle", "denominator_wh"]
    return m.loc[bad, [*KEY, *columns, "_merge"]].sort_values(KEY)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("end", PERIOD_ENDS, ids=str)
def test_ehr_indicators_match_truth(expected, warehouse, end, level):
    o = expected(end)
    o = o[o["level"] == level]
    # every level has rows to compare (team: EHR_PLACED only), so a level cannot pass empty
    assert not o.empty, f"the oracle has no {level} rows at {end}"
    w = _warehouse_indicators(warehouse, (level,))
    kinds = hr.period_types(end)
    w = w[w["period_label"].isin(set(o["period_label"])) & w["period_type"].isin(kinds)]
    # a unit with nothing to count may be absent on either side: 0/0 on both is equal; a unit
    # the other side attributes items to (a wrong institution or team) is a difference
    diff = _diff(o, w)
    diff = diff[
        ~(
            (diff["_merge"] != "both")
            & diff[["denominator_oracle", "denominator_wh"]].fillna(0).eq(0).all(axis=1)
        )
    ]
    with pd.option_context("display.width", 200):
        assert diff.empty, (
            f"EHR_* {level} rows at {end}: {len(diff)} differ, oracle vs warehouse:\n"
            f"{diff.head(60).to_string(index=False)}"
        )
    if level == "city":
        print(o.to_string(index=False))


# ----------------------------------------------------------------------------- worklists
WORKLISTS = {
    # list → (warehouse columns naming one entry, oracle function, oracle columns)
    "wl_ehr_transfers": (
        ["record_no", "transfer_class"],
        hr.transfer_worklist,
        ["record_no", "transfer_class"],
    ),
    "wl_ehr_escalations": (["request_no"], hr.escalation_list, ["request_no"]),
    "wl_ehr_duplicates": (
        ["person_key", "record_nos"],
        hr.duplicate_list,
        ["person_key", "record_nos"],
    ),
    "wl_ehr_stale": (["record_no", "stale_reason"], hr.stale_list, ["record_no", "stale_reason"]),
}


def _entries(frame: pd.DataFrame, columns: list[str]) -> set[tuple]:
    return set(frame[columns].astype(str).itertuples(index=False, name=None))


def _set_diff(name: str, end: dt.date, o: set[tuple], w: set[tuple]) -> str:
    only_o, only_w = sorted(o - w), sorted(w - o)
    return (
        f"{name} at {end}: oracle {len(o)}, warehouse {len(w)}\n"
        f"  only in oracle ({len(only_o)}): {only_o[:20]}\n"
        f"  only in warehouse ({len(only_w)}): {only_w[:20]}"
    )


@pytest.mark.parametrize("end", PERIOD_ENDS, ids=str)
@pytest.mark.parametrize("name", list(WORKLISTS))
def test_ehr_worklists_match_truth(oracle, warehouse, name, end):
    w_cols, make, o_cols = WORKLISTS[name]
    w = _query(warehouse, f"select * from worklists.{name} where list_date = DATE '{end}'")
    if "change_since_previous" in w.columns:  # `resolved` rows are no longer on the list
        w = w[w["change_since_previous"] != "resolved"]
    if name == "wl_ehr_duplicates":  # the record numbers in a fixed order
        w["record_nos"] = w["record_nos"].map(lambda s: ";".join(sorted(str(s).split(";"))))
    o, got = _entries(make(oracle, end), o_cols), _entries(w, w_cols)
    assert o == got, _set_diff(name, end, o, got)


# ----------------------------------------------------------------- issue 5's edge cases
def edge_case_counts(city) -> dict[str, int]:
    """The cases issue 5 asks the demo city to hold, counted from the truth tables."""
    start, end = np.datetime64(CITY_START, "D"), np.datetime64(CITY_END, "D")
    day = hr._days
    res = city.truth("residence")
    moved = res.assign(frm=day(res["from_day"])).sort_values(["pid", "frm"])
    before = moved.groupby("pid")[["district_idx", "resident"]].shift()
    mid_year_move = (
        before["district_idx"].notna()
        & (before["district_idx"] != moved["district_idx"])
        & (before["resident"] == 1)
        & (moved["resident"] == 1)
        & (moved["frm"] >= start)
        & (moved["frm"] <= end)
    )
    c = city.truth("contracts_truth")
    exp = day(c["expiry_day"])
    expired = (
        c["end"].astype(str).isin(["expired_recorded", "expired_unrecorded"])
        & (exp >= start)
        & (exp <= end)
    )
    p = city.truth("persons")
    death = day(p["death_day"])
    died = (death >= start) & (death <= end)
    rt = city.truth("records_truth")
    died_with_record = p.loc[died, "pid"].isin(rt["pid"])
    t = city.truth("transfers_truth")
    done = t[t["outcome"] == 1].assign(apply=day(t[t["outcome"] == 1]["apply_day"]))
    pairs = done.merge(done, on="record_no", suffixes=("_a", "_b"))
    back = pairs[
        (pairs["apply_b"] > pairs["apply_a"])
        & (pairs["out_institution_a"].astype(str) == pairs["in_institution_b"].astype(str))
        & (pairs["in_institution_a"].astype(str) == pairs["out_institution_b"].astype(str))
    ]
    answered = t[t["outcome"].isin([1, 2]) & ~t["reply_without_date"]]
    return {
        "resident moved districts in the year": int(moved.loc[mid_year_move, "pid"].nunique()),
        "contract expired in the year": int(expired.sum()),
        "expired contract still marked 有效 (unrecorded)": int(
            (c["end"].astype(str) == "expired_unrecorded").sum()
        ),
        "died in the year (with a record)": int(died_with_record.sum()),
        "record transferred and transferred back": int(back["record_no"].nunique()),
        "transfer answered on day 7": int((answered["reply_delay"] == 7).sum()),
        "transfer answered on day 8": int((answered["reply_delay"] == 8).sum()),
    }


def test_demo_city_has_issue_5_cases(demo_city):
    counts = edge_case_counts(demo_city)
    print(counts)
    absent = [name for name, n in counts.items() if n < 1]
    assert not absent, f"the demo city lacks: {absent} ({counts})"
