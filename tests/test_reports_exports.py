"""XLSX worklists (neutralized text, IDs as text, Chinese headers) and the indicator CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from reports.indicator_export import CSV_COLUMNS, export_indicator_csv
from reports.publish import publish_vision
from reports.warehouse import load_vision_data
from reports.worklist_export import (
    INTERVENTION_HEADERS,
    REMONITORING_HEADERS,
    export_worklists,
    neutralize,
)
from tests.report_fixtures import (
    INST_GULOU,
    INST_JIAWANG,
    INST_YUNLONG,
    INSTITUTION_NAMES,
    MALICIOUS_NAMES,
    TEAM_GULOU,
    TEAM_NAMES,
    TEAM_YUNLONG,
    build_fixture_warehouse,
    fixture_warehouse_path,
    identity_persons,
)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张小明", "张小明"),
        ("1+1", "1+1"),
    ],
)
def test_neutralize(text: str, stored: str) -> None:
    assert neutralize(text) == stored


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    warehouse = fixture_warehouse_path(tmp_path_factory.mktemp("wh"))
    return warehouse, tmp_path_factory.mktemp("out")


def test_one_file_per_team_in_the_agreed_layout(published: tuple[Path, Path]) -> None:
    warehouse, out = published
    files = export_worklists(warehouse, out)
    base = out / "worklists" / "2025-12-31"
    assert sorted(f.path.relative_to(base).as_posix() for f in files) == sorted(
        [
            f"{INST_GULOU}/{TEAM_GULOU}.xlsx",
            f"{INST_YUNLONG}/{TEAM_YUNLONG}.xlsx",
            f"{INST_JIAWANG}/no-team.xlsx",
            "no-institution/no-team.xlsx",
        ]
    )
    assert {(f.children, f.remonitored) for f in files} == {(9, 3), (2, 2), (1, 0)}


def _sheet_rows(path: Path, sheet: str) -> list[list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book[sheet].iter_rows()]


def test_xlsx_headers_ids_and_neutralized_names(published: tuple[Path, Path]) -> None:
    warehouse, out = published
    export_worklists(warehouse, out)
    base = out / "worklists" / "2025-12-31"
    rows = _sheet_rows(base / INST_YUNLONG / f"{TEAM_YUNLONG}.xlsx", "干预清单")
    assert [c.value for c in rows[0]] == list(INTERVENTION_HEADERS)
    first = {h: c for h, c in zip(INTERVENTION_HEADERS, rows[1], strict=True)}
    # most overdue first: pk03, 60 days, named =HYPERLINK(...)
    assert first["儿童身份证号"].value == "320303201908080033"
    assert first["儿童身份证号"].data_type == "s"
    assert first["姓名"].data_type == "s"
    assert first["姓名"].value == "'" + MALICIOUS_NAMES[0]
    assert first["逾期天数"].value == 60 and first["逾期天数"].data_type == "n"
    # institutions, teams and kindergartens as 名称（代码）
    assert first["幼儿园"].value == "湾中口和幼儿园（1030300002）"
    assert first["检查机构"].value == f"{INSTITUTION_NAMES[INST_GULOU]}（{INST_GULOU}）"
    assert first["责任团队"].value == f"{TEAM_NAMES[TEAM_YUNLONG]}（{TEAM_YUNLONG}）"
    assert first["责任机构"].value == f"{INSTITUTION_NAMES[INST_YUNLONG]}（{INST_YUNLONG}）"
    assert first["异常原因"].value == "处理意见为复查或转诊"
    assert first["检查日期"].value == dt.datetime(2025, 10, 2)
    second = {h: c for h, c in zip(INTERVENTION_HEADERS, rows[2], strict=True)}
    assert second["姓名"].value == "'+1" and second["姓名"].data_type == "s"
    assert second["本期新增"].value == "是"

    names = {}
    for path in base.rglob("*.xlsx"):
        for sheet in ("干预清单", "复查情况"):
            for row in _sheet_rows(path, sheet)[1:]:
                names[row[1].value] = row[1]
                assert row[0].data_type == "s"  # ID as text, always
    for malicious in MALICIOUS_NAMES:
        cell = names["'" + malicious]
        assert cell.data_type == "s" and str(cell.value).startswith("'")
    # an ID with a check character X survives as text
    gulou = _sheet_rows(base / INST_GULOU / f"{TEAM_GULOU}.xlsx", "干预清单")
    assert "32030220190515002X" in [r[0].value for r in gulou]


def test_codes_alone_without_names(tmp_path: Path) -> None:
    """A warehouse built before the name columns: the codes alone, as before; a code whose
    institution the registry does not name (贾汪) also shows the code alone."""
    warehouse = build_fixture_warehouse(tmp_path / "old.duckdb").path
    con = duckdb.connect(str(warehouse))
    for column in (
        "flag_institution_name",
        "responsible_team_name",
        "responsible_institution_name",
        "kindergarten_name",
    ):
        con.execute(f"alter table worklists.wl_vision_interventions drop column {column}")
    con.close()
    data = load_vision_data(warehouse)
    assert data.interventions["responsible_team_name"].isna().all()
    export_worklists(warehouse, tmp_path / "out")
    base = tmp_path / "out" / "worklists" / "2025-12-31"
    rows = _sheet_rows(base / INST_YUNLONG / f"{TEAM_YUNLONG}.xlsx", "干预清单")
    first = {h: c.value for h, c in zip(INTERVENTION_HEADERS, rows[1], strict=True)}
    assert (first["检查机构"], first["责任团队"], first["责任机构"]) == (
        INST_GULOU,
        TEAM_YUNLONG,
        INST_YUNLONG,
    )
    # the kindergarten's name still comes from the indicator results
    assert first["幼儿园"] == "湾中口和幼儿园（1030300002）"
    jiawang = _sheet_rows(base / INST_JIAWANG / "no-team.xlsx", "干预清单")
    assert jiawang[1][INTERVENTION_HEADERS.index("责任机构")].value == INST_JIAWANG


def test_remonitoring_sheet(published: tuple[Path, Path]) -> None:
    warehouse, out = published
    export_worklists(warehouse, out)
    path = out / "worklists" / "2025-12-31" / INST_YUNLONG / f"{TEAM_YUNLONG}.xlsx"
    rows = _sheet_rows(path, "复查情况")
    assert [c.value for c in rows[0]] == list(REMONITORING_HEADERS)
    by_id = {
        r[0].value: {h: c.value for h, c in zip(REMONITORING_HEADERS, r, strict=True)}
        for r in rows[1:]
    }  # noqa: E501
    followed = by_id["320303201901010088"]
    assert followed["是否已复查"] == "是"
    assert followed["复查日期"] == dt.datetime(2025, 12, 20)
    assert (followed["复查结果"], followed["复查处理意见"], followed["复查视力不良"]) == (
        "异常",
        "转诊",
        "是",
    )  # noqa: E501
    assert by_id["320303201908080033"]["是否已复查"] == "否"
    assert followed["原检查机构"] == f"{INSTITUTION_NAMES[INST_GULOU]}（{INST_GULOU}）"


def test_csv_rows_columns_and_bom(published: tuple[Path, Path]) -> None:
    warehouse, out = published
    data = load_vision_data(warehouse)
    path = export_indicator_csv(data.results, out / "indicators.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == len(data.results) == 104
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    city = next(
        r
        for r in records
        if r["code"] == "VIS_COV" and r["period"] == "2026Q1" and r["level"] == "city"
    )  # noqa: E501
    assert (city["numerator"], city["denominator"], city["rate"]) == ("638", "709", "89.99")
    small = next(
        r
        for r in records
        if r["code"] == "VIS_SCHOOL_LINK"
        and r["period"] == "2026Q1"
        and r["unit_code"] == "unknown"
    )  # noqa: E501
    assert (small["numerator"], small["denominator"], small["rate"]) == ("0", "2", "0.00")
    suppressed = export_indicator_csv(data.results, out / "public.csv", suppress_small_cells=True)
    text = suppressed.read_text(encoding="utf-8-sig")
    assert "VIS_FOLLOWUP,2026Q1,district,320305,<5,3,\n" in text


def test_publish_writes_everything_without_clear_ids(published: tuple[Path, Path]) -> None:
    warehouse, _ = published
    out = warehouse.parent / "published"
    paths = publish_vision(warehouse, out, generated_at=dt.datetime(2026, 1, 5))
    assert paths.report_html == out / "reports" / "vision_report_2026_2026Q1.html"
    assert paths.indicators_csv.name == "indicator_results_2026_2026Q1.csv"
    assert paths.list_date == dt.date(2025, 12, 31) and len(paths.worklists) == 4
    assert all(p.is_file() for p in paths.all())
    html = paths.report_html.read_text(encoding="utf-8")
    csv_text = paths.indicators_csv.read_text(encoding="utf-8-sig")
    for _, person in identity_persons().iterrows():
        assert person["id_number"] not in html and person["id_number"] not in csv_text
        assert person["person_key"] not in csv_text
    # as of November: the November report and list
    earlier = publish_vision(warehouse, out, as_of=dt.date(2025, 11, 30))
    assert earlier.period.period_label == "2025-11" and earlier.list_date == dt.date(2025, 11, 30)
    with earlier.indicators_csv.open(encoding="utf-8-sig") as handle:
        assert {row["period"] for row in csv.DictReader(handle)} == {"2025-10", "2025-11"}
