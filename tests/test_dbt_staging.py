"""dbt staging over a raw zone written by hand: ``dbt build`` (seeds, staging, data and
unit tests) succeeds, no row is dropped, and the typed values, reason codes, versions and
snapshot dates are the ones worked out by hand below.

The raw zone is built with pyarrow in tmp_path exactly as the ingest writes it
(test_dbt_support.write_batch); XZH_DATA and XZH_WAREHOUSE point there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.contract import FEEDS
from tests.test_dbt_support import prepare_raw_zone, run_dbt, shared_work_dir, write_batch

# senders (统一社会信用代码, GB 32100 check characters valid)
COMM = "11320300014144830H"  # the commission: registry and population
MCH = "12320300MB1234567H"  # maternal and child health institution
CHC1 = "12320302MB0000001R"  # community health centres
CHC2 = "12320311MB0000002X"
EDU = "11320300MB0000009Z"  # education bureau (not validated in staging)

# ID numbers (valid GB 11643 check characters)
CHILD_A = "320302202003150012"  # male, born 2020-03-15
CHILD_B = "320302202003150020"  # female, born 2020-03-15
MOTHER = "320311198501010028"  # female, born 1985-01-01
FATHER = "320311198707070034"  # male, born 1987-07-07
CHILD_C = "320324202111110040"  # female, born 2021-11-11
ADULT_D = "320302199001010054"  # male, born 1990-01-01
ADULT_E = "320303197505050065"  # female, born 1975-05-05; 15 digits: 320303750505006

UPDATED = "2026-03-01 08:00:00"


def build_raw_zone(data: Path) -> dict[str, int]:
    """Write the raw zone; returns the number of rows written per feed."""
    prepare_raw_zone(data)
    written: dict[str, int] = {}

    def batch(feed: str, sender: str, day: str, rows: list[dict[str, str]], **kw: Any) -> None:
        write_batch(data, feed, sender, day, rows, **kw)
        written[feed] = written.get(feed, 0) + len(rows)

    inst = {"institution_category": "B", "district_code": "320302", "active_flag": "1"}
    batch("institution", COMM, "2025-09-30", [
        {**inst, "institution_code": CHC1, "institution_name": "鼓楼社区卫生服务中心",
         "served_street_codes": "320302001;320302002"},
        {**inst, "institution_code": CHC2, "institution_name": "泉山社区卫生服务中心",
         "institution_category": "Z"},
        {**inst, "institution_code": "12320302MB0000001A", "institution_name": ""},
    ])  # fmt: skip
    batch("institution", COMM, "2025-10-31", [
        {**inst, "institution_code": CHC1, "institution_name": "鼓楼社区卫生服务中心"},
        {**inst, "institution_code": MCH, "institution_name": "徐州市妇幼保健院",
         "institution_category": "D", "active_flag": "0"},
    ])  # fmt: skip
    batch("team", COMM, "2025-10-31", [
        {"team_code": "T1", "institution_code": CHC1, "team_name": "一队", "active_flag": "1"},
        {"team_code": "T2", "institution_code": CHC1, "team_name": "二队", "active_flag": "2"},
    ])  # fmt: skip

    person = {"resident_flag": "1", "updated_at": UPDATED}
    batch("population", COMM, "2025-09-30", [
        {**person, "id_number": CHILD_A, "name": "甲", "sex_code": "1",
         "birth_date": "2020-03-15", "street_code": "320302001"},
        {**person, "id_number": "320303750505006", "name": "戊", "sex_code": "女",
         "birth_date": "19750505", "street_code": "320303001", "death_date": "2025/09/01"},
        {**person, "id_number": "３２０３１１１９８５０１０１００２８", "name": "母",
         "sex_code": "2", "birth_date": "1985-01-02", "street_code": "320311001"},
        {**person, "id_number": "320302199001010055", "name": "丁", "sex_code": "1",
         "birth_date": "1990-01-01", "street_code": "320302002"},
    ])  # fmt: skip
    batch("population", COMM, "2025-10-31", [
        {**person, "id_number": CHILD_A, "name": "甲", "sex_code": "1",
         "birth_date": "2020-03-15", "street_code": "320302001",
         "updated_at": "2025-10-01 00:00:00"},
        {**person, "id_number": CHILD_A, "name": "甲", "sex_code": "1",
         "birth_date": "2020-03-15", "street_code": "320302002",
         "updated_at": "2025-10-02 00:00:00"},
        {**person, "id_number": ADULT_D, "name": "丁", "sex_code": "9",
         "birth_date": "1990-01-01", "street_code": "320302002", "resident_flag": "0",
         "updated_at": "2025-10-30"},
    ])  # fmt: skip
    batch("population", CHC2, "2025-10-15", [
        {**person, "id_number": FATHER, "name": "父", "sex_code": "1",
         "birth_date": "1987-07-07", "street_code": "320311001", "updated_at": "bad"},
    ])  # fmt: skip

    birth = {"sex_code": "1", "birth_date": "2020-03-15", "mother_id_number": MOTHER,
             "delivery_institution_code": MCH}  # fmt: skip
    batch("birth", MCH, "2020-03-16", [
        {**birth, "birth_cert_no": "B1", "newborn_name": "母之子",
         "updated_at": "2020-03-16 09:00:00"},
        {**birth, "birth_cert_no": "B2", "sex_code": "2", "newborn_name": "母之女",
         "newborn_id_number": CHILD_B, "updated_at": "2020-03-16 09:05:00"},
    ])  # fmt: skip
    batch("birth", MCH, "2020-05-01", [
        {**birth, "birth_cert_no": "B1", "newborn_name": "甲",
         "newborn_id_number": CHILD_A.lower(), "updated_at": "2020-04-30T10:00"},
    ])  # fmt: skip

    check = {"sex_code": "1", "birth_date": "2020-03-15", "result_code": "1", "action_code": "0"}
    batch("eye_check", MCH, "2026-03-07", [
        {**check, "check_no": "E1", "child_id_number": CHILD_A, "check_date": "2026-03-07",
         "va_right": "0.9", "va_left": "4.85", "updated_at": "2026-03-07 16:30:47"},
        {**check, "check_no": "E2", "child_id_number": "", "mother_id_number": MOTHER,
         "check_date": "20260307", "check_stage": "6岁", "va_right": "5.4", "va_left": "",
         "updated_at": "2026/03/07 17:00"},
        {**check, "check_no": "E3", "child_id_number": CHILD_A[:-1] + "9", "sex_code": "男",
         "check_date": "2026-03-07", "result_code": "", "action_code": "3",
         "updated_at": "20260307170000"},
    ], absent=("va_notation",))  # fmt: skip
    batch("eye_check", MCH, "2026-03-08", [
        {**check, "check_no": "E1", "child_id_number": CHILD_A, "check_date": "2026-03-07",
         "va_right": "1.0", "va_left": "0.8", "va_notation": "小数", "action_code": "1",
         "updated_at": "2026-03-08 09:00:00"},
        {**check, "check_no": "E1", "child_id_number": CHILD_A, "check_date": "2026-03-07",
         "updated_at": "2026-03-09 25:00:00"},
    ], seq=2)  # fmt: skip
    batch("eye_check", CHC1, "2026-03-08", [
        {**check, "check_no": "E1", "child_id_number": CHILD_B, "sex_code": "1",
         "birth_date": "2020-03-16", "check_date": "2026-03-08", "va_right": "5.0",
         "va_left": "4.0", "va_notation": "1", "updated_at": "2026-03-08 10:00:00"},
    ])  # fmt: skip

    kid = {"street_code": "320302001", "sex_code": "男", "birth_date": "2020-03-15"}
    batch("kg_roster", EDU, "2025-09-10", [
        {**kid, "kindergarten_code": "3203000001", "kindergarten_name": "一园",
         "child_id_number": CHILD_A, "child_name": "甲"},
        {**kid, "kindergarten_code": "3203000002", "kindergarten_name": "二园",
         "child_id_number": CHILD_C, "child_name": "丙", "sex_code": "女",
         "birth_date": "2021-11-11"},
    ])  # fmt: skip
    batch("kg_roster", EDU, "2026-02-20", [
        {**kid, "kindergarten_code": "3203000001", "kindergarten_name": "一园",
         "child_id_number": CHILD_A, "child_name": "甲", "class_name": "大一班"},
    ])  # fmt: skip
    batch("school_entry", EDU, "2025-09-01", [
        {"school_code": "3203100001", "school_name": "一小", "student_id_number": " " + CHILD_A,
         "student_name": "甲", "sex_code": "1", "birth_date": "2020-03-15",
         "entry_date": "2025-09-01", "former_kindergarten_code": "3203000001"},
    ])  # fmt: skip

    record = {"name": "丁", "sex_code": "1", "birth_date": "1990-01-01",
              "managing_institution_code": CHC1, "created_date": "2020-01-01"}  # fmt: skip
    batch("ehr_record", CHC1, "2025-10-01", [
        {**record, "record_no": "R1", "id_number": ADULT_D, "team_code": "T1",
         "record_status": "1", "updated_at": "2025-10-01 08:00:00.250"},
        {**record, "record_no": "R2", "id_number": "320303750505006", "name": "戊",
         "sex_code": "2", "birth_date": "1975-05-05", "record_status": "1",
         "updated_at": "2025-10-01 08:00:00"},
    ])  # fmt: skip
    batch("ehr_record", CHC1, "2025-11-02", [
        {**record, "record_no": "R1", "id_number": ADULT_D, "record_status": "2",
         "status_changed_date": "2025-11-01", "updated_at": "2025-11-01 08:00:00"},
        {**record, "record_no": "R1", "id_number": ADULT_D, "record_status": "3",
         "updated_at": "2025-10-01 08:00:00.249"},
    ])  # fmt: skip
    batch("ehr_service", CHC1, "2025-10-05", [
        {"service_no": "S1", "record_no": "R1", "id_number": ADULT_D,
         "service_institution_code": CHC1, "service_type": "02",
         "service_date": "2025-10-05", "updated_at": "2025-10-05 10:00:00"},
        {"service_no": "S2", "id_number": ADULT_D, "service_institution_code": CHC1,
         "service_type": "2", "service_date": "2025-10-05", "updated_at": "2025-10-05 10:00"},
    ])  # fmt: skip
    batch("contract", CHC1, "2025-10-05", [
        {"contract_no": "C1", "id_number": ADULT_D, "team_code": "T1", "institution_code": CHC1,
         "signed_date": "2025-10-01", "effective_date": "2025-10-01",
         "expiry_date": "2026-09-30", "contract_status": "1", "updated_at": UPDATED},
    ])  # fmt: skip
    transfer = {"record_no": "R1", "id_number": ADULT_D, "from_institution_code": CHC1,
                "to_institution_code": CHC2, "request_date": "2025-11-01",
                "reason_code": "1"}  # fmt: skip
    batch("transfer", CHC2, "2025-11-01", [
        {**transfer, "request_no": "X1", "status_code": "0",
         "updated_at": "2025-11-01 09:00:00"},
    ])  # fmt: skip
    batch("transfer", CHC1, "2025-11-05", [
        {**transfer, "request_no": "X1", "status_code": "1", "answered_date": "2025-11-04",
         "escalated_flag": "是", "updated_at": "2025-11-04 15:00:00"},
    ])  # fmt: skip
    return written


STAGING = {
    "institution": "stg_institution__institutions",
    "team": "stg_team__teams",
    "population": "stg_population__persons",
    "birth": "stg_birth__birth_certificates",
    "eye_check": "stg_eye_check__eye_checks",
    "kg_roster": "stg_kg_roster__enrolments",
    "school_entry": "stg_school_entry__entrants",
    "ehr_record": "stg_ehr_record__health_records",
    "ehr_service": "stg_ehr_service__services",
    "contract": "stg_contract__contracts",
    "transfer": "stg_transfer__transfer_requests",
}


class Warehouse:
    def __init__(self, path: Path, written: dict[str, int], data: Path) -> None:
        self.path, self.written, self.data = path, written, data

    def rows(self, feed: str, where: str = "true") -> list[dict[str, Any]]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            rel = con.sql(
                f"select * from staging.{STAGING[feed]} where {where}"
                " order by _business_date, _sender, _file_path, _row_number"
            )
            names = rel.columns
            return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The raw zone and one ``dbt build`` over it (once per session, shared by xdist workers)."""

    def build(work: Path) -> None:
        build_raw_zone(work / "data")
        result = run_dbt(["build"], work / "data", work)
        (work / "dbt.out").write_text(result.stdout, encoding="utf-8")
        (work / "dbt.rc").write_text(str(result.returncode))

    work = shared_work_dir("staging", build, tmp_path_factory.mktemp("staging"))
    assert (work / "dbt.rc").read_text() == "0", (work / "dbt.out").read_text()[-5000:]
    written = build_raw_zone(tmp_path_factory.mktemp("count"))  # rows per feed, by construction
    return Warehouse(work / "warehouse.duckdb", written, work / "data")


def pick(rows: list[dict[str, Any]], *columns: str) -> list[tuple]:
    return [tuple(r[c] for c in columns) for r in rows]


def test_every_feed_has_a_staging_model_and_no_row_is_dropped(warehouse: Warehouse) -> None:
    assert set(STAGING) == set(FEEDS)
    for feed, n in warehouse.written.items():
        assert len(warehouse.rows(feed)) == n, feed


def test_staging_carries_no_delivered_text_of_id_numbers(warehouse: Warehouse) -> None:
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        columns = {
            (t, c)
            for t, c in con.sql(
                "select table_name, column_name from information_schema.columns"
                " where table_schema = 'staging'"
            ).fetchall()
        }
    assert not [tc for tc in columns if tc[1].endswith(("__raw", "__text"))]
    assert ("stg_eye_check__eye_checks", "child_id_number_is_valid") in columns


def test_eye_checks(warehouse: Warehouse) -> None:
    rows = warehouse.rows("eye_check")
    got = pick(
        rows,
        "_sender", "check_no", "child_id_number", "mother_id_number", "sex_code", "check_date",
        "check_stage", "va_right", "va_left", "va_notation", "action_code", "reason_codes",
        "is_usable", "is_latest_version", "next_version_updated_at",
    )  # fmt: skip
    day = dt.date(2026, 3, 7)
    assert got == [
        (MCH, "E1", CHILD_A, None, "1", day, None, Decimal("5.0"), Decimal("4.9"), None, "0",
         None, True, False, dt.datetime(2026, 3, 8, 9)),
        (MCH, "E2", None, MOTHER, "1", day, "6岁", None, None, None, "0",
         "bad_va:va_right", True, True, None),
        (MCH, "E3", None, None, "1", day, None, None, None, None, None,
         "bad_id:child_id_number;missing:result_code;bad_code:action_code", False, True, None),
        (MCH, "E1", CHILD_A, None, "1", day, None, Decimal("5.0"), Decimal("4.9"), "2", "1",
         None, True, True, None),
        (MCH, "E1", CHILD_A, None, "1", day, None, None, None, None, "0",
         "bad_datetime:updated_at", False, False, None),
        (CHC1, "E1", CHILD_B, None, "1", dt.date(2026, 3, 8), None, Decimal("5.0"),
         Decimal("4.0"), "1", "0", "id_birth_mismatch:child_id_number;"
         "id_sex_mismatch:child_id_number", True, True, None),
    ]  # fmt: skip
    assert [r["_seq"] for r in rows] == [1, 1, 1, 2, 2, 1]


def test_population_snapshots(warehouse: Warehouse) -> None:
    rows = warehouse.rows("population")
    got = pick(
        rows,
        "_sender", "id_number", "sex_code", "birth_date", "street_code", "death_date",
        "snapshot_date", "next_snapshot_date", "reason_codes", "is_usable", "is_latest_version",
    )  # fmt: skip
    sep30, oct31, oct15 = dt.date(2025, 9, 30), dt.date(2025, 10, 31), dt.date(2025, 10, 15)
    assert got == [
        (COMM, CHILD_A, "1", dt.date(2020, 3, 15), "320302001", None, sep30, oct31,
         None, True, True),
        (COMM, ADULT_E, "2", dt.date(1975, 5, 5), "320303001", dt.date(2025, 9, 1), sep30,
         oct31, None, True, True),
        (COMM, MOTHER, "2", dt.date(1985, 1, 2), "320311001", None, sep30, oct31,
         "id_birth_mismatch:id_number", False, True),
        (COMM, None, "1", dt.date(1990, 1, 1), "320302002", None, sep30, oct31,
         "bad_id:id_number", False, False),
        (CHC2, FATHER, "1", dt.date(1987, 7, 7), "320311001", None, oct15, None,
         "bad_datetime:updated_at", False, False),
        (COMM, CHILD_A, "1", dt.date(2020, 3, 15), "320302001", None, oct31, None,
         None, True, False),
        (COMM, CHILD_A, "1", dt.date(2020, 3, 15), "320302002", None, oct31, None,
         None, True, True),
        (COMM, ADULT_D, "9", dt.date(1990, 1, 1), "320302002", None, oct31, None,
         None, True, True),
    ]  # fmt: skip
    assert [r["id_number_is_valid"] for r in rows] == [True] * 3 + [False] + [True] * 4


def test_registry_snapshots(warehouse: Warehouse) -> None:
    institutions = warehouse.rows("institution")
    assert pick(
        institutions,
        "institution_code", "institution_code_is_valid", "institution_category",
        "next_snapshot_date", "reason_codes", "is_usable",
    ) == [
        (CHC1, True, "B", dt.date(2025, 10, 31), None, True),
        (CHC2, True, None, dt.date(2025, 10, 31), "bad_code:institution_category", False),
        ("12320302MB0000001A", False, "B", dt.date(2025, 10, 31),
         "missing:institution_name", False),
        (CHC1, True, "B", None, None, True),
        (MCH, True, "D", None, None, True),
    ]  # fmt: skip
    assert pick(warehouse.rows("team"), "team_code", "active_flag", "reason_codes") == [
        ("T1", "1", None),
        ("T2", None, "bad_code:active_flag"),
    ]


def test_birth_certificates(warehouse: Warehouse) -> None:
    got = pick(
        warehouse.rows("birth"),
        "birth_cert_no", "newborn_id_number", "newborn_name", "updated_at", "reason_codes",
        "is_latest_version", "next_version_updated_at",
    )  # fmt: skip
    assert got == [
        ("B1", None, "母之子", dt.datetime(2020, 3, 16, 9), None, False,
         dt.datetime(2020, 4, 30, 10)),
        ("B2", CHILD_B, "母之女", dt.datetime(2020, 3, 16, 9, 5), None, True, None),
        ("B1", CHILD_A, "甲", dt.datetime(2020, 4, 30, 10), None, True, None),
    ]  # fmt: skip


def test_rosters(warehouse: Warehouse) -> None:
    got = pick(
        warehouse.rows("kg_roster"),
        "kindergarten_code", "child_id_number", "sex_code", "class_name", "snapshot_date",
        "next_snapshot_date", "is_latest_version", "is_usable",
    )  # fmt: skip
    sep10, feb20 = dt.date(2025, 9, 10), dt.date(2026, 2, 20)
    assert got == [
        ("3203000001", CHILD_A, "1", None, sep10, feb20, True, True),
        ("3203000002", CHILD_C, "2", None, sep10, None, True, True),
        ("3203000001", CHILD_A, "1", "大一班", feb20, None, True, True),
    ]
    assert pick(warehouse.rows("school_entry"), "student_id_number", "reason_codes") == [
        (CHILD_A, None)
    ]


def test_health_records_and_as_of(warehouse: Warehouse) -> None:
    got = pick(
        warehouse.rows("ehr_record"),
        "record_no", "id_number", "record_status", "updated_at", "is_latest_version",
        "next_version_updated_at",
    )  # fmt: skip
    t = dt.datetime
    assert got == [
        ("R1", ADULT_D, "1", t(2025, 10, 1, 8, 0, 0, 250000), False, t(2025, 11, 1, 8)),
        ("R2", ADULT_E, "1", t(2025, 10, 1, 8), True, None),
        ("R1", ADULT_D, "2", t(2025, 11, 1, 8), True, None),
        ("R1", ADULT_D, "3", t(2025, 10, 1, 8, 0, 0, 249000), False,
         t(2025, 10, 1, 8, 0, 0, 250000)),
    ]  # fmt: skip
    as_of = (
        "cast(updated_at as date) <= date '{d}' and (next_version_updated_at is null"
        " or cast(next_version_updated_at as date) > date '{d}')"
    )
    on_oct_31 = warehouse.rows("ehr_record", as_of.format(d="2025-10-31"))
    assert pick(on_oct_31, "record_no", "record_status") == [("R1", "1"), ("R2", "1")]
    on_nov_1 = warehouse.rows("ehr_record", as_of.format(d="2025-11-01"))
    assert pick(on_nov_1, "record_no", "record_status") == [("R2", "1"), ("R1", "2")]


def test_services_contracts_transfers(warehouse: Warehouse) -> None:
    assert pick(warehouse.rows("ehr_service"), "service_no", "service_type", "reason_codes") == [
        ("S1", "02", None),
        ("S2", None, "bad_code:service_type"),
    ]
    assert pick(warehouse.rows("contract"), "contract_no", "expiry_date", "is_usable") == [
        ("C1", dt.date(2026, 9, 30), True)
    ]
    assert pick(
        warehouse.rows("transfer"),
        "_sender", "status_code", "answered_date", "reason_codes", "is_usable",
        "is_latest_version",
    ) == [
        (CHC2, "0", None, None, True, False),
        (CHC1, "1", dt.date(2025, 11, 4), "bad_code:escalated_flag", False, True),
    ]  # fmt: skip


def test_reasons_agree_with_the_gate(warehouse: Warehouse) -> None:
    """Every staged row carries exactly the rules the gate's Python finds broken."""
    gate = pytest.importorskip("expectations.row_rules")
    import pyarrow.parquet as pq

    for feed in FEEDS.values():
        staged = {
            (r["_batch_id"], r["_row_number"]): (r["reason_codes"], r["is_usable"])
            for r in warehouse.rows(feed.name)
        }
        for path in sorted((warehouse.data / "raw" / feed.name).glob("*/*.parquet")):
            for raw in pq.read_table(path).to_pylist():
                broken = gate.broken_rules(feed, raw)
                expected = (
                    ";".join(r.code for r in broken) or None,
                    not any(r.severity == "error" for r in broken),
                )
                assert staged[(raw["_batch_id"], raw["_row_number"])] == expected, raw
