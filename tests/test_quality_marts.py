"""Reporting completeness and timeliness, recomputed from the generator's truth."""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest

from tests.conftest import ROOT

with open(ROOT / "dbt_project/seeds/quality/delivery_schedule.csv", encoding="utf-8") as f:
    SCHEDULE = {row["feed"]: row for row in csv.DictReader(f)}


def expected_summary(truth_files: pd.DataFrame, institutions: pd.DataFrame) -> pd.DataFrame:
    """senders expected / reported and files accepted / on time per feed and month, from truth."""
    files = truth_files[truth_files.defect != "bad_file_name"].copy()
    files["month"] = pd.to_datetime(files.business_day).dt.to_period("M")
    accepted = files[files.expected == "loaded"]
    months = sorted(accepted.month.unique())
    local = pd.DatetimeIndex(files.arrived_at).tz_convert("Asia/Shanghai").tz_localize(None)
    files["arrival_day"] = local.normalize()
    rows = []
    for feed, plan in SCHEDULE.items():
        mine = accepted[accepted.feed == feed]
        due = [  # owed from the feed's first accepted month on
            m
            for m in months
            if m >= mine.month.min()
            and (plan["cadence"] == "monthly" or str(m.month) in plan["due_months"].split(";"))
        ]
        first = mine.groupby("sender").month.min()
        categories = [c for c in plan["mandatory_categories"].split(";") if c]
        mandatory = set(
            institutions.loc[
                institutions.category.isin(categories) & institutions.active, "institution_code"
            ]
        )
        for month in due:
            expected = {s for s, m in first.items() if m <= month} | mandatory
            in_month = files[(files.feed == feed) & (files.month == month)]
            reported = set(in_month.loc[in_month.expected.isin(["loaded", "duplicate"]), "sender"])
            ok = in_month[in_month.expected == "loaded"]
            limit = pd.to_datetime(ok.business_day) + pd.Timedelta(
                days=int(plan["timely_within_days"])
            )
            rows.append(
                {
                    "feed": feed,
                    "report_month": month.to_timestamp(),
                    "senders_expected": len(expected),
                    "senders_reported": len(expected & reported),
                    "files_accepted": len(ok[ok.sender.isin(expected)]),
                    "files_on_time": int(
                        ((ok.arrival_day <= limit) & ok.sender.isin(expected)).sum()
                    ),
                }
            )
    frame = pd.DataFrame(rows)
    # a month in which nobody owes a feed has no row
    frame = frame[frame.senders_expected > 0]
    return frame.sort_values(["feed", "report_month"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def summary(built_demo) -> pd.DataFrame:
    con = duckdb.connect(str(built_demo.config.warehouse), read_only=True)
    try:
        return con.sql(
            "select feed, report_month, senders_expected, senders_reported,"
            " cast(files_accepted as bigint) as files_accepted,"
            " cast(files_on_time as bigint) as files_on_time"
            " from quality.dq_reporting_summary order by feed, report_month"
        ).df()
    finally:
        con.close()


def test_completeness_and_timeliness_match_the_truth(built_demo, summary) -> None:
    want = expected_summary(
        built_demo.city.truth("deliveries"), built_demo.city.truth("institutions")
    )
    got = summary.assign(report_month=pd.to_datetime(summary.report_month))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_some_deliveries_are_late_and_some_never_came(summary) -> None:
    assert (summary.files_on_time < summary.files_accepted).any()
    assert (summary.senders_reported < summary.senders_expected).any()
