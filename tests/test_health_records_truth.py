"""Health-record indicators and worklists: the warehouse against the city's ground truth.

The oracle (tests/oracle/health_records.py) recomputes EHR_* and the worklists from
the generator's truth tables in pandas, independently of the dbt models; here both are
compared exactly, for city and every district, at several calendar period ends.

``XZH_TRUTH_WAREHOUSE=<path to warehouse.duckdb>`` compares an already built warehouse
(e.g. a private copy) instead of the ``built_demo`` fixture's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
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


@pytest.fixture(scope="session")
def oracle(demo_city) -> hr.HealthRecordTruth:
    return hr.HealthRecordTruth(demo_city.root)


@pytest.fixture(scope="session")
def warehouse(request) -> Path:
    path = os.environ.get("XZH_TRUTH_WAREHOUSE")
    if path:
        return Path(path)
    return request.getfixturevalue("built_demo").data_root / "warehouse.duckdb"


def _query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).df()


def _warehouse_indicators(path: Path) -> pd.DataFrame:
    w = _query(
        path,
        f"select {', '.join(KEY)}, numerator, denominator from indicators.indicator_results "
        "where period_basis = 'calendar' and level in ('city', 'district')",
    )
    assert not w.empty, "indicators.indicator_results has no health-record (calendar) rows"
    return w


def _periods(end: dt.date) -> list[str]:
    types = ["month"]
    if end.month % 3 == 0:
        types.append("quarter")
    if end.month == 12:
        types.append("year")
    return types


def _diff(oracle: pd.DataFrame, warehouse: pd.DataFrame) -> pd.DataFrame:
    m = oracle.merge(warehouse, on=KEY, how="outer", suffixes=("_oracle", "_wh"), indicator=True)
    bad = (
        (m["_merge"] != "both")
        | (m["numerator_oracle"] != m["numerator_wh"])
        | (m["denominator_oracle"] != m["denominator_wh"])
    )
    return m[bad].sort_values(KEY)


@pytest.mark.parametrize("end", PERIOD_ENDS, ids=str)
def test_ehr_indicators_match_truth(oracle, warehouse, end):
    w = _warehouse_indicators(warehouse)
    frames = [hr.indicators(oracle, period_type, end) for period_type in _periods(end)]
    o = pd.concat(frames, ignore_index=True)
    labels = set(o["period_label"])
    w = w[w["period_label"].isin(labels) & w["period_type"].isin(_periods(end))]
    # a district with nothing to count may be absent on either side: 0/0 on both is equal
    diff = _diff(o, w)
    diff = diff[
        ~(
            (diff["_merge"] != "both")
            & diff[["denominator_oracle", "denominator_wh"]].fillna(0).eq(0).all(axis=1)
        )
    ]
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        assert diff.empty, f"EHR_* at {end}: oracle vs warehouse\n{diff.to_string(index=False)}"
    print(o[o["level"] == "city"].to_string(index=False))


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


# ------------------------------------------------------------------------ recomputation
RECOMPUTE_MONTH = dt.date(2026, 3, 31)


def _ehr_month(warehouse: Path, end: dt.date) -> pd.DataFrame:
    w = _warehouse_indicators(warehouse)
    return w[(w["period_type"] == "month") & (w["period_label"] == f"{end:%Y-%m}")].set_index(KEY)


def business_date(name: str) -> dt.date | None:
    """The business date in a delivery's file name, None when there is none or it is no date."""
    m = re.search(r"_(\d{8})(?:_\d+)?\.(?:csv|xlsx)$", name)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m[1], "%Y%m%d").date()
    except ValueError:
        return None


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("XZH_SLOW_TESTS"), reason="two ingests + builds (~15 min): XZH_SLOW_TESTS=1"
)
def test_month_is_stable_when_later_data_arrives(demo_city, tmp_path):
    """Ingest up to month M, build, read EHR_* for M; add the rest, rebuild: M is unchanged,
    except where a delivery of a later business date corrects M's facts (rule 13: event
    feeds use the latest version, so late ehr_service rows dated in M may change EHR_USE)."""
    from ingest.config import load_config
    from ingest.pipeline import ingest_all
    from xzh.warehouse import build

    inbox, data = tmp_path / "inbox", tmp_path / "data"
    files = demo_city.truth("deliveries")
    for path in demo_city.inbox.rglob("*"):
        if not path.is_file():
            continue
        name = business_date(path.name)
        if name is None or name <= RECOMPUTE_MONTH:  # strays and bad names: keep, they are rejected
            target = inbox / path.relative_to(demo_city.inbox)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    config = load_config(str(inbox), data)
    ingest_all(config)
    build(config)
    before = _ehr_month(data / "warehouse.duckdb", RECOMPUTE_MONTH)
    for path in demo_city.inbox.rglob("*"):
        target = inbox / path.relative_to(demo_city.inbox)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    ingest_all(config)
    build(config)
    after = _ehr_month(data / "warehouse.duckdb", RECOMPUTE_MONTH)
    changed = before.join(after, rsuffix="_after", how="outer")
    changed = changed[
        (changed["numerator"] != changed["numerator_after"])
        | (changed["denominator"] != changed["denominator_after"])
    ]
    # the only way M may change: late event rows (EHR_USE) dated up to M but delivered later
    late = files[
        (files["feed"] == "ehr_service")
        & (hr._days(files["business_day"]) > np.datetime64(RECOMPUTE_MONTH, "D"))
    ]
    unexplained = changed[changed.index.get_level_values("indicator_code") != "EHR_USE"]
    assert unexplained.empty, f"month {RECOMPUTE_MONTH:%Y-%m} changed:\n{unexplained.to_string()}"
    if len(changed):
        # EHR_USE may only grow: a later row adds a dynamic entry, never removes one
        assert (changed["numerator_after"] >= changed["numerator"]).all(), changed.to_string()
        assert (changed["denominator_after"] == changed["denominator"]).all(), changed.to_string()
        assert len(late), "EHR_USE changed without any later ehr_service delivery"
