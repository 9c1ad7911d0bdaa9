"""The gate: Great Expectations decides each batch; outcomes, boundaries and messages are
worked out by hand from the contract (edge rules 2, 3, 7, 12)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq
import pytest

from expectations.gate import BatchForGate, Gate, GateDecision, GateError, _outcome
from expectations.profile import profile_table
from expectations.testing import batch_id, file_name, landing_table, make_id, write_landing
from ingest.contract import FEEDS

SENDER = "12320300MB1234567H"
KIDS = [
    make_id("320302", dt.date(2021, 1, 1) + dt.timedelta(days=i), 11 + 2 * i) for i in range(200)
]


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Gate:
    return Gate(tmp_path_factory.mktemp("gx"))


class Batches:
    """Writes landing batches and the ingest's facts about them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.day = dt.date(2026, 3, 1)

    def add(
        self,
        feed: str,
        columns: Mapping[str, Sequence[str | None]],
        *,
        sender: str = SENDER,
        missing: tuple[str, ...] = (),
        registered: bool = True,
        previous: int | None = None,
        write: bool = True,
    ) -> BatchForGate:
        self.day += dt.timedelta(days=1)  # every batch its own file name
        n = len(next(iter(columns.values()))) if columns else 0
        bid = batch_id(feed, sender, self.day)
        path = self.root / feed / f"{bid}.parquet"
        if write:
            table = landing_table(feed, columns, sender=sender, day=self.day, batch=bid)
            write_landing(path, table)
        name = file_name(feed, sender, self.day)
        return BatchForGate(bid, feed, name, path, missing, registered, n, previous)


def eye(n: int, bad_codes: int = 0, bad_ids: int = 0) -> dict[str, list[str | None]]:
    """``n`` eye checks; the first ``bad_codes`` rows have a 检查结果 outside its set (an
    error), the last ``bad_ids`` rows a broken optional 儿童身份证号 (a warning)."""
    cols: dict[str, list[str | None]] = {
        "check_no": [f"C{i}" for i in range(1, n + 1)],
        "child_id_number": [KIDS[i % 200] for i in range(n)],
        "sex_code": ["1"] * n,
        "birth_date": [
            (dt.date(2021, 1, 1) + dt.timedelta(days=i % 200)).isoformat() for i in range(n)
        ],
        "check_date": ["2026-03-01"] * n,
        "result_code": ["1"] * n,
        "action_code": ["0"] * n,
        "updated_at": ["2026-03-01 09:00:00"] * n,
    }
    for i in range(bad_codes):
        cols["result_code"][i] = "9"
    for i in range(n - bad_ids, n):
        cols["child_id_number"][i] = KIDS[i % 200][:-1] + ("0" if KIDS[i % 200][-1] != "0" else "1")
    return cols


def team(n: int) -> dict[str, list[str | None]]:
    return {
        "team_code": [f"T{i}" for i in range(n)],
        "institution_code": [SENDER] * n,
        "team_name": ["一队"] * n,
        "active_flag": ["1"] * n,
    }


@pytest.fixture(scope="module")
def eye_decisions(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[BatchForGate], list[GateDecision]]:
    """One gate run over every eye_check case below, as the DAG would run it."""
    make = Batches(tmp_path_factory.mktemp("landing"))
    batches = [
        make.add("eye_check", eye(100, bad_codes=5)),  # 0: exactly 5%: passes
        make.add("eye_check", eye(100, bad_codes=6)),  # 1: 6% and 6 rows: quarantined
        make.add("eye_check", eye(10, bad_codes=4)),  # 2: 40% but 4 rows < 5: passes
        make.add("eye_check", eye(10, bad_codes=5)),  # 3: 50% and 5 rows: quarantined
        make.add("eye_check", eye(99, bad_codes=5)),  # 4: 5.05%: quarantined
        make.add("eye_check", eye(20, bad_ids=20)),  # 5: warnings only: loaded
        make.add("eye_check", eye(5), missing=("性别代码",)),  # 6: rejected
        make.add("eye_check", eye(5), registered=False, sender="12320312EKTC7JD44R"),  # 7
        make.add("eye_check", eye(0)),  # 8: header only: rejected
        make.add("eye_check", eye(0), write=False),  # 9: no landing file at all
        make.add("eye_check", eye(5), missing=("性别代码", "出生日期"), registered=False),  # 10
        make.add("eye_check", eye(6)),  # 11: clean
        make.add("eye_check", eye(4)),  # 12: duplicate key versions (below)
    ]
    dup = eye(4)
    dup["check_no"][2] = "C1"  # row 3 repeats row 1 at the same 更新时间
    dup["check_no"][3] = "C2"
    dup["updated_at"][3] = "2026/03/01 09:00"  # row 4 repeats row 2, written otherwise
    batches[12] = make.add("eye_check", dup)
    decisions = gate.check("eye_check", batches)
    return batches, decisions


def test_decisions_come_back_in_input_order(
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
) -> None:
    batches, decisions = eye_decisions
    assert [d.batch_id for d in decisions] == [b.batch_id for b in batches]


@pytest.mark.parametrize(
    ("index", "status", "reason", "flagged", "warned"),
    [
        (0, "loaded", "", 5, 0),
        (1, "quarantined", "row_rules", 6, 0),
        (2, "loaded", "", 4, 0),
        (3, "quarantined", "row_rules", 5, 0),
        (4, "quarantined", "row_rules", 5, 0),
        (5, "loaded", "", 0, 20),
        (6, "rejected", "missing_required_column", 0, 0),
        (7, "rejected", "unknown_institution", 0, 0),
        (8, "rejected", "no_data_rows", 0, 0),
        (9, "rejected", "no_data_rows", 0, 0),
        (10, "rejected", "missing_required_column", 0, 0),  # first of two reasons
        (11, "loaded", "", 0, 0),
        (12, "quarantined", "duplicate_key_versions", 0, 0),
    ],
)
def test_status_reason_and_row_counts(
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
    index: int,
    status: str,
    reason: str,
    flagged: int,
    warned: int,
) -> None:
    decision = eye_decisions[1][index]
    assert (decision.status, decision.reason_code) == (status, reason)
    assert (decision.rows_flagged, decision.rows_warned) == (flagged, warned)
    assert (decision.message == "") == (status == "loaded")


def test_messages_name_file_rule_share_threshold_and_rows(
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
) -> None:
    batches, decisions = eye_decisions

    def message(i: int) -> str:
        return decisions[i].message.removeprefix(batches[i].file_name + ": ")

    assert message(1) == (
        "6% of 检查结果 are outside the code set (1 2) (threshold 5%); first bad rows: 1, 2, 3"
    )
    assert message(3) == (
        "50% of 检查结果 are outside the code set (1 2) (threshold 5%); first bad rows: 1, 2, 3"
    )
    assert message(4).startswith("5.1% of 检查结果")  # 5/99 = 5.05%, not "5%"
    assert message(6) == "required column 性别代码 is missing"
    assert message(7) == "sender 12320312EKTC7JD44R is not in the institution registry"
    assert message(8) == "no data rows"
    assert message(10) == "required columns 性别代码, 出生日期 are missing"
    assert message(12) == (
        "4 rows repeat a record key with the same 更新时间 (检查记录号 C1 …); first rows: 1, 2, 3"
    )
    for d, b in zip(decisions, batches, strict=True):
        assert "\n" not in d.message
        assert d.message == "" or d.message.startswith(b.file_name + ": ")
        assert not re.search(r"[0-9]{15}", d.message), "no ID number in a message"


def test_rule_counts_hold_only_broken_rules(
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
) -> None:
    decisions = eye_decisions[1]
    assert decisions[1].rule_counts == {"bad_code:result_code": 6}
    assert decisions[5].rule_counts == {"bad_id:child_id_number": 20}
    assert decisions[11].rule_counts == {}


def test_expectation_results_travel_with_each_decision(
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
) -> None:
    decisions = eye_decisions[1]
    by_reason = {e["reason_code"]: e for e in decisions[1].expectations}
    assert list(by_reason) == [
        "missing_required_column",
        "unknown_institution",
        "no_data_rows",
        "row_rules",
        "duplicate_key_versions",
    ]  # eye_check has no small-snapshot guard
    rows = by_reason["row_rules"]
    assert rows["type"] == "expect_column_values_to_be_between"
    assert rows["column"] == "flagged_share"
    assert rows["kwargs"]["max_value"] == 0.05
    assert rows["kwargs"]["row_condition"]["parameter"] == 5
    assert rows["success"] is False
    assert rows["observed_value"] == pytest.approx(0.06)
    assert all(e["success"] for e in decisions[0].expectations)
    assert by_reason["no_data_rows"]["observed_value"] == 100
    json.dumps([d.expectations for d in decisions])  # plain JSON for the ledger


def test_profiling_in_chunks_decides_the_same(
    gate: Gate,
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches, decisions = eye_decisions
    monkeypatch.setattr("expectations.gate.PROFILE_ROWS", 50)  # one query per ~50 rows
    again = gate.check("eye_check", batches)
    assert [(d.status, d.message, d.rule_counts, d.rows_warned) for d in again] == [
        (d.status, d.message, d.rule_counts, d.rows_warned) for d in decisions
    ]


def test_profiles_made_while_landing_decide_the_same(
    gate: Gate,
    eye_decisions: tuple[list[BatchForGate], list[GateDecision]],
) -> None:
    """Ingest profiles large files from the parsed table and hands the profile over; the
    gate then skips its own query for them (mixed here: every other batch)."""
    batches, decisions = eye_decisions
    handed = []
    for i, b in enumerate(batches):
        if i % 2 == 0 and b.landing_path.is_file():
            table = pq.read_table(b.landing_path)
            row = profile_table("eye_check", table, b.landing_path).iloc[0]
            b = replace(b, profile={str(k): v for k, v in row.items()})
        handed.append(b)
    assert sum(b.profile is not None for b in handed) >= 6
    again = gate.check("eye_check", handed)
    assert [(d.batch_id, d.status, d.message, d.rule_counts, d.rows_warned) for d in again] == [
        (d.batch_id, d.status, d.message, d.rule_counts, d.rows_warned) for d in decisions
    ]


def test_snapshot_may_shrink_to_half_but_not_below(gate: Gate, tmp_path: Path) -> None:
    make = Batches(tmp_path)
    batches = [
        make.add("team", team(10), previous=20),  # exactly half: passes
        make.add("team", team(9), previous=19),  # 9 ≥ 9.5? no: quarantined
        make.add("team", team(4210), previous=9020),
        make.add("team", team(3), previous=None),  # first snapshot of the sender
    ]
    decisions = gate.check("team", batches)
    assert [(d.status, d.reason_code) for d in decisions] == [
        ("loaded", ""),
        ("quarantined", "small_snapshot"),
        ("quarantined", "small_snapshot"),
        ("loaded", ""),
    ]
    assert decisions[2].message == (
        f"{batches[2].file_name}: 4,210 rows, fewer than half of the previous snapshot (9,020 rows)"
    )


def test_population_birth_date_mismatch_is_an_error(gate: Gate, tmp_path: Path) -> None:
    n = 40
    people = {
        "id_number": KIDS[:n],
        "name": ["某"] * n,
        "sex_code": ["1"] * n,
        "birth_date": [
            (dt.date(2021, 1, 1) + dt.timedelta(days=i)).strftime("%Y%m%d") for i in range(n)
        ],
        "street_code": ["320302001"] * n,
        "resident_flag": ["1"] * n,
        "updated_at": ["2026-02-28 12:00:00"] * n,
    }
    for i in (3, 7, 8, 20, 31):
        people["birth_date"][i] = "2019-01-01"
    batch = Batches(tmp_path).add("population", people, previous=None)
    (decision,) = gate.check("population", [batch])
    assert decision.status == "quarantined"
    assert decision.rule_counts == {"id_birth_mismatch:id_number": 5}
    assert decision.message == (
        f"{batch.file_name}: 12.5% of 出生日期 disagree with the birth date in 身份证号 "
        "(threshold 5%); first bad rows: 4, 8, 9"
    )


def test_inputs_that_disagree_stop_the_gate(gate: Gate, tmp_path: Path) -> None:
    make = Batches(tmp_path)
    good = make.add("team", team(3))
    wrong_count = BatchForGate(
        good.batch_id, "team", good.file_name, good.landing_path, (), True, 4, None
    )
    with pytest.raises(GateError, match="ingest counted 4 data rows"):
        gate.check("team", [wrong_count])
    lost = make.add("team", team(3), write=False)
    with pytest.raises(FileNotFoundError):
        gate.check("team", [lost])
    with pytest.raises(ValueError, match="another feed"):
        gate.check("eye_check", [good])


def test_an_expectation_that_raised_stops_the_gate() -> None:
    config = SimpleNamespace(type="expect_x", kwargs={"column": "c"}, meta={})
    result = SimpleNamespace(
        results=[
            SimpleNamespace(
                exception_info={"raised_exception": True, "exception_message": "boom"},
                expectation_config=config,
                success=False,
                result={},
            )
        ]
    )
    with pytest.raises(GateError, match="boom"):
        _outcome(result)  # type: ignore[arg-type]


def test_results_are_stored_and_data_docs_built(
    gate: Gate, eye_decisions: tuple[list[BatchForGate], list[GateDecision]]
) -> None:
    stored = list((gate.gx_root / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert stored, "validation results are kept in the file context"
    failing = [d.batch_id for d in eye_decisions[1] if d.status != "loaded"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in stored)
    assert all(batch in text for batch in failing), "each failing batch is named"
    index = gate.build_data_docs()
    assert index.name == "index.html" and index.is_file()
    assert "gate_eye_check" in index.read_text(encoding="utf-8")


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_suite_json_in_version_control_matches_the_code(feed: str, gate: Gate) -> None:
    from expectations import suites

    path = suites.suite_path(feed)
    assert path.is_file(), "run: .venv/bin/python -m expectations.suites"
    assert path.read_text(encoding="utf-8") == suites.render(FEEDS[feed]), (
        f"{path} is stale; run: .venv/bin/python -m expectations.suites"
    )
    thresholds = json.loads(path.read_text(encoding="utf-8"))["expectations"]
    rows = next(e for e in thresholds if e["meta"]["reason_code"] == "row_rules")
    assert rows["kwargs"]["max_value"] == FEEDS[feed].max_broken_share
    assert rows["kwargs"]["row_condition"]["parameter"] == FEEDS[feed].min_broken_rows
    guarded = any(e["meta"]["reason_code"] == "small_snapshot" for e in thresholds)
    assert guarded == FEEDS[feed].guard_small_snapshot
