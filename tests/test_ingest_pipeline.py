"""The demo city through ingest and the gate, judged against the generator's ground truth.

The truth (``truth/deliveries.parquet``) says, for every file written, the
defect injected, the outcome the contract prescribes, its data rows and
malformed lines. Nothing here reads the ingest code's own notion of a file.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ingest.pipeline import ingest_all
from xzh.summary import row_outcomes

# the contract's outcome (truth) -> the ledger statuses that fulfil it
OUTCOMES = {
    "loaded": {"loaded", "superseded"},
    "rejected": {"rejected", "quarantined"},
    "duplicate": {"duplicate"},
}


@pytest.fixture(scope="module")
def judged(ingested_demo) -> pd.DataFrame:
    truth = ingested_demo.city.truth("deliveries")
    ledger = ingested_demo.ledger()
    merged = truth.merge(ledger, left_on="path", right_on="file_path", how="outer", indicator=True)
    assert (merged._merge == "both").all(), merged.loc[
        merged._merge != "both", ["path", "file_path"]
    ]
    return merged


def test_one_ledger_row_per_delivered_file(ingested_demo, judged) -> None:
    ledger = ingested_demo.ledger()
    assert ledger.file_path.is_unique
    assert len(ledger) == len(ingested_demo.city.truth("deliveries"))
    assert (judged.sha256 == judged.file_sha256).all()


def test_every_delivered_row_is_accounted_for_per_feed(judged) -> None:
    assert (judged.rows_in == judged.data_rows).all()
    assert (judged.rows_malformed == judged.malformed_rows).all()
    outcomes = row_outcomes(judged)
    accounted = (
        outcomes.rows_loaded
        + outcomes.rows_quarantined
        + outcomes.rows_duplicate
        + outcomes.rows_superseded
        + outcomes.rows_malformed
    )
    per_feed = pd.DataFrame({"in": judged.data_rows, "out": accounted, "feed": judged.feed_x})
    sums = per_feed.groupby("feed")[["in", "out"]].sum()
    assert (sums["in"] == sums["out"]).all(), sums


def test_each_file_ends_where_the_contract_says(judged) -> None:
    wrong = judged[
        [s not in OUTCOMES[e] for e, s in zip(judged.expected, judged.status, strict=True)]
    ]
    assert wrong.empty, wrong[["path", "defect", "expected", "status", "message"]].head(10)


def test_a_correction_supersedes_exactly_the_lower_sequences(judged) -> None:
    accepted = judged[judged.status.isin(["loaded", "superseded"])]
    key = ["feed_x", "sender_x", "business_day"]
    top = accepted.groupby(key).seq_x.transform("max")
    expected_superseded = accepted.seq_x < top
    assert (accepted.status == "superseded").tolist() == expected_superseded.tolist()
    assert (judged.defect == "correction").sum() > 0
    assert (judged.status == "superseded").sum() >= (judged.defect == "correction").sum()


@pytest.mark.parametrize(
    ("defect", "status", "reason_code", "says"),
    [
        ("missing_required_column", "rejected", "missing_required_column", "required column"),
        ("unknown_institution", "rejected", "unknown_institution", "not in the institution"),
        ("bad_file_name", "rejected", "bad_file_name", ""),
        ("bad_id_batch", "quarantined", "row_rules", "GB 11643"),
        ("duplicate", "duplicate", "duplicate", "same bytes as"),
    ],
)
def test_injected_defects_get_their_reason(judged, defect, status, reason_code, says) -> None:
    files = judged[judged.defect == defect]
    assert len(files) > 0
    assert (files.status == status).all(), files[["path", "status", "message"]]
    assert (files.reason_code == reason_code).all(), files[["path", "reason_code"]]
    for path, message in zip(files.path, files.message, strict=True):
        assert path.rsplit("/", 1)[-1] in message.split(":")[0] or defect == "duplicate"
        assert says in message, message


def test_missing_column_message_names_the_column(judged) -> None:
    files = judged[judged.defect == "missing_required_column"]
    for detail, message in zip(files.defect_detail, files.message, strict=True):
        column = detail.split(";")[0]  # XLSX details also name their date-cell habit
        assert f"required column {column} is missing" in message, (detail, message)


def test_empty_files_are_rejected_for_no_data_rows(judged) -> None:
    files = judged[(judged.defect == "empty") & (judged.expected == "rejected")]
    assert len(files) > 0
    assert set(files.reason_code) == {"no_data_rows"}


def test_raw_zone_holds_exactly_the_loaded_rows(ingested_demo, judged) -> None:
    con = duckdb.connect()
    raw = con.sql(
        f"select _feed, _file_sha256, count(*) as n from read_parquet("
        f"'{ingested_demo.data_root}/raw/*/*/*.parquet', union_by_name = true) group by all"
    ).df()
    loaded = judged[judged.status == "loaded"]
    # each delivered file at most once in raw, even when its bytes arrived several times
    assert raw._file_sha256.is_unique
    assert set(raw._file_sha256) == set(loaded.sha256)
    expected = (loaded.data_rows - loaded.malformed_rows).groupby(loaded.feed_x).sum()
    got = raw.groupby("_feed").n.sum()
    assert got.sort_index().to_dict() == expected[expected > 0].sort_index().to_dict()


def test_rerunning_changes_nothing(ingested_demo) -> None:
    root = ingested_demo.data_root
    before_files = sorted(
        (str(p.relative_to(root)), p.stat().st_size)
        for zone in ("raw", "quarantine", "superseded")
        for p in (root / zone).rglob("*")
        if p.is_file()
    )
    before_ledger = ingested_demo.ledger()
    reports = ingest_all(ingested_demo.config)
    assert [r.new_files for r in reports] == [0] * len(reports)
    after_files = sorted(
        (str(p.relative_to(root)), p.stat().st_size)
        for zone in ("raw", "quarantine", "superseded")
        for p in (root / zone).rglob("*")
        if p.is_file()
    )
    assert after_files == before_files
    pd.testing.assert_frame_equal(ingested_demo.ledger(), before_ledger)
