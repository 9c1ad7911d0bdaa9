"""The health-record (档随人走) report and worklist exports against a hand-made warehouse.

Report: self-contained, Chinese, small cells suppressed, numbers as in the marts, slowest
institutions first, counts only. XLSX: one file per managing institution and district bureau,
Chinese headers, IDs as text, formula injection neutralized, what changed since the last list.
Plus one headless-Chromium check that the charts render (skipped without Chromium).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest

from reports.chromium import ChromiumNotFoundError, find_chromium, run_chromium
from reports.ehr_worklist_export import (
    DUPLICATE_HEADERS,
    ESCALATION_HEADERS,
    STALE_HEADERS,
    SUMMARY_HEADERS,
    TRANSFER_HEADERS,
    export_ehr_worklists,
)
from reports.health_records_report import (
    render_health_records_report,
    select_month,
    write_health_records_report,
)
from reports.publish import publish_health_records
from reports.warehouse import WarehouseError, load_health_records_data
from tests import report_fixtures_ehr as fx

BASE = Path("worklists") / "health_records" / "2026-03-31"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.ehr_warehouse_path(tmp_path_factory.mktemp("wh"))


@pytest.fixture(scope="module")
def report(warehouse: Path) -> str:
    _, html = render_health_records_report(
        load_health_records_data(warehouse), generated_at=dt.datetime(2026, 4, 5)
    )
    return html


def _without_plotly_js(html: str) -> str:
    start = html.index("<script>")
    end = html.index("</script>", start)
    return html[:start] + html[end:]


def _expected(numerator: int, denominator: int) -> tuple[str, str, str]:
    """What a table cell must show, computed here by hand from the fixture's counts."""
    num = "<5" if 1 <= numerator <= 4 else f"{numerator:,}"
    rate = "—" if denominator < 10 else f"{round(100 * numerator / denominator, 2):.2f}%"
    return num, f"{denominator:,}", rate


def _section(html: str, section: str, following: str) -> str:
    return html[html.index(f'<section id="{section}"') : html.index(f'<section id="{following}"')]


# --- the report ------------------------------------------------------------------------------


def test_title_and_month(report: str, warehouse: Path) -> None:
    assert f"<title>{fx.TITLE}</title>" in report
    assert f'<h1 id="report-title">{fx.TITLE}</h1>' in report
    assert 'lang="zh-CN"' in report
    results = load_health_records_data(warehouse).results
    # only the calendar rows of the union: no vision result reaches this report
    assert not results["indicator_code"].str.startswith("VIS_").any()
    month = select_month(results)
    assert month.period_label == "2026-03"
    assert month.file_name == "health_records_report_2026-03.html"
    # the quarter 2026Q1 ends the same day, but the report is a month report
    february = select_month(results, dt.date(2026, 3, 30))
    assert (february.period_label, february.title) == (
        "2026-02",
        "徐州市居民电子健康档案（档随人走）统计报告（截至2026年2月28日）",
    )
    with pytest.raises(ValueError, match="xzh build"):
        select_month(results, dt.date(2025, 12, 31))


def test_self_contained_plotly_inlined_once(report: str) -> None:
    assert report.count("* plotly.js v") == 1
    assert report.index("* plotly.js v") < report.index("</head>")
    # coverage, use, unique, placed, transfer ranking, three trends
    assert report.count("Plotly.newPlot(") == 8
    rest = _without_plotly_js(report)
    assert "* plotly.js v" not in rest
    assert not re.search(r"""<(script|link|img|iframe|source)[^>]+(src|href)\s*=""", rest, re.I)
    assert "https://" not in rest and "http://" not in rest
    assert "@import" not in rest and "url(" not in rest


def test_print_css_and_fonts(report: str) -> None:
    assert "size: A4 portrait" in report
    assert "page-break-inside: avoid" in report
    assert '"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei"' in report
    assert "@top-center" in report


def test_cards_for_the_month(report: str) -> None:
    headline = _section(report, "headline", "coverage")
    cards = re.findall(
        r'<div class="card ([a-z-]*)" data-indicator="([A-Z_]+)">.*?<div class="value">(.*?)</div>',
        headline,
        re.S,
    )
    assert [c[1] for c in cards] == [
        "EHR_COV",
        "EHR_USE",
        "EHR_UNIQUE",
        "EHR_PLACED",
        "EHR_XFER_TIMELY",
    ]
    for css, code, value in cards:
        numerator, denominator = fx.march(code, fx.CITY)
        assert value == _expected(numerator, denominator)[2], code
        met = 100 * numerator / denominator >= fx.TARGETS[code]
        assert css == ("met" if met else "not-met"), code
    assert "目标 100%" in headline and "目标 ≥95%" in headline


def _district_rows(report: str) -> dict[str, dict[str, tuple[str, str, str]]]:
    table = re.search(r'<table id="district-table">(.*?)</table>', report, re.S)
    assert table
    rows: dict[str, dict[str, tuple[str, str, str]]] = {}
    for unit, body in re.findall(r'<tr data-unit="([^"]+)"[^>]*>(.*?)</tr>', table.group(1), re.S):
        cells = {}
        for code, cell in re.findall(
            r'<td class="ind" data-indicator="([A-Z0-9_]+)">(.*?)</td>', body, re.S
        ):
            found = re.search(
                r'<span class="rate">(.*?)</span>.*?<span class="numerator">(.*?)</span>'
                r'.*?<span class="denominator">(.*?)</span>',
                cell,
                re.S,
            )
            if found:
                rate, num, den = found.groups()
                cells[code] = (num.replace("&lt;", "<"), den, rate)
        rows[unit] = cells
    return rows


def test_district_table_numbers(report: str) -> None:
    rows = _district_rows(report)
    assert list(rows) == [fx.CITY, *sorted(fx.DISTRICTS)]
    for (code, level, unit, _), counts in fx.MARCH.items():
        if level in ("city", "district"):
            assert rows[unit][code] == _expected(*counts), (code, unit)
    # written out by hand
    assert rows["320300"]["EHR_COV"] == ("1,530", "1,709", "89.53%")
    assert rows["320303"]["EHR_USE"] == ("277", "592", "46.79%")
    assert rows["320305"]["EHR_USE"] == ("<5", "8", "—")
    assert rows["320305"]["EHR_XFER_TIMELY"] == ("<5", "4", "—")


def test_small_cells_suppressed_in_charts_and_marks(report: str) -> None:
    coverage = re.search(r'"chart-coverage",\s*(\[.*?\]),\s*\{', report, re.S)
    assert coverage and '"y":[90.91,87.0,null]' in coverage.group(1)
    use = re.search(r'"chart-use",\s*(\[.*?\]),\s*\{', report, re.S)
    # 贾汪区 EHR_USE 3/8: not drawn, and its numerator is <5 in the hover data, never "3"
    assert use and '"y":[62.0,46.79,null]' in use.group(1)
    assert '["\\u003c5","8","\\u2014"]' in use.group(1)
    assert "图中未绘制：贾汪区" in report
    row = re.search(r'<tr data-unit="320305".*?</tr>', report, re.S)
    assert row and "未达标" not in row.group(0) and ">达标<" not in row.group(0)


def test_slowest_institutions_first_by_name(report: str) -> None:
    section = _section(report, "transfer-timeliness", "trend")
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td><td>(.*?)</td><td>(.*?)</td>.*?'
        r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>',
        section,
        re.S,
    )
    names = [fx.INSTITUTIONS[code][0] for code in fx.SLOWEST_FIRST]
    assert [r[1] for r in rows] == names  # 贾汪 (4 requests) is not ranked
    assert rows[0][2:] == ("云龙区", "12", "9", "75.00%")
    # the renamed institution carries its name as of the report month, not the old one
    assert fx.INST_D_OLD_NAME not in report
    assert "1 个机构申请数不足10，不排名" in section
    assert f"回复最慢：{names[0]}、{names[1]}、{names[2]}。" in section
    ranking = re.search(r'"chart-transfer-timeliness",\s*(\[.*?\]),\s*\{', report, re.S)
    assert ranking and '"x":[75.0,87.5,89.47,96.55]' in ranking.group(1)


def test_trends_over_the_months(report: str) -> None:
    trend = re.search(r'"chart-trend-ehr-cov",\s*(\[.*?\]),\s*\{', report, re.S)
    assert trend
    data = trend.group(1)
    assert data.count('"name":') == 5  # 全市 + three districts + the target line's legend entry
    assert '"name":"\\u76ee\\u6807 90%"' in data  # 目标 90%
    months = json.dumps(["2026年1月", "2月", "3月"], separators=(",", ":"))
    assert f'"x":{months}' in data
    assert '"y":[87.06,88.27,89.53]' in data  # 全市: 1480/1700, 1505/1705, 1530/1709
    assert '"y":[null,null,null]' in data  # 贾汪区: 9 residents, never drawn


def test_worklists_summary_counts_only(report: str) -> None:
    section = _section(report, "worklists", "appendix")
    assert "2026-03-31 清单（与 2026-02-28 上期清单比较）" in section
    # March: 6 records still to move (R005 resolved), by class 2/1/3 -> all small
    assert "需迁档或调整团队的档案 <strong>6</strong> 份" in section
    classes = dict(
        re.findall(r'<tr data-class="([^"]+)"><td>[^<]*</td><td class="num">([^<]*)</td>', section)
    )
    assert classes == {"机构内": "&lt;5", "区域内": "&lt;5", "跨区域": "&lt;5"}
    total = re.search(r'<tr class="city" data-class="合计">(.*?)</tr>', section, re.S)
    assert total
    assert re.findall(r'<td class="num">([^<]*)</td>', total.group(1)) == [
        "6",
        "&lt;5",
        "&lt;5",
        "&lt;5",
        "&lt;5",
    ]
    escalations = re.search(r'<table id="escalation-table".*?</table>', section, re.S)
    assert escalations
    rows = re.findall(r"<tr><td>(.*?)</td>", escalations.group(0))
    assert rows == ["鼓楼区", "云龙区", "贾汪区"]
    assert ">50</td>" in escalations.group(0)  # the oldest request: days are not counts
    for stale_label in ("已死亡", "非常住人口", "不在人口库"):
        assert f"失效档案：{stale_label}（份）" in section


def test_no_id_name_person_key_or_record_number_in_report(report: str) -> None:
    identity = fx.identity_persons()
    for id_number in identity["id_number"]:
        assert id_number not in report
    for _, _, name, _, _ in fx.PERSONS:
        if name[0] not in "=+-@\t":
            assert name not in report
    for key in identity["person_key"]:
        assert f'"{key}"' not in report and f">{key}<" not in report and key not in report
    for number in {*fx.transfers()["record_no"], *fx.escalations()["request_no"]}:
        assert not re.search(rf"\b{number}\b", _without_plotly_js(report)), number


def test_missing_worklist_table_is_named(tmp_path: Path) -> None:
    path = fx.build_ehr_warehouse(tmp_path / "w.duckdb", skip=("worklists.wl_ehr_stale",))
    with pytest.raises(WarehouseError, match=r"worklists\.wl_ehr_stale.*xzh build"):
        load_health_records_data(path)


# --- the XLSX worklists ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    export_ehr_worklists(warehouse, out)
    return out / BASE


def _rows(path: Path, sheet: str) -> list[list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book[sheet].iter_rows()]


def _records(path: Path, sheet: str, headers: tuple[str, ...]) -> list[dict[str, object]]:
    rows = _rows(path, sheet)
    assert tuple(c.value for c in rows[0]) == headers
    return [{h: c.value for h, c in zip(headers, row, strict=True)} for row in rows[1:]]


def test_one_file_per_institution_and_district_bureau(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == sorted(
        [f"{code}.xlsx" for code in fx.INSTITUTIONS]
        + [f"district_{code}.xlsx" for code in fx.DISTRICTS]
    )
    for path in exported.iterdir():
        sheets = openpyxl.load_workbook(path).sheetnames
        if path.name.startswith("district_"):
            assert sheets == ["跨区域迁档协调", "机构迁档汇总"]
        else:
            assert sheets == ["迁档清单", "重复档案", "失效档案"]


def test_transfer_sheet_with_changes(exported: Path) -> None:
    records = _records(exported / f"{fx.INST_C}.xlsx", "迁档清单", TRANSFER_HEADERS)
    # open rows first, the resolved one last, shown once
    assert [(r["档案编号"], r["变化"]) for r in records] == [("R004", "新增"), ("R005", "已解决")]
    first = records[0]
    inst_c, inst_e = fx.INSTITUTIONS[fx.INST_C][0], fx.INSTITUTIONS[fx.INST_E][0]
    assert first["身份证号"] == "320303199002020044"
    assert first["姓名"] == "'+1"
    assert first["类别"] == "跨区域"
    assert first["现管理机构/团队"] == f"{inst_c}（{fx.INST_C}）／（无团队）"
    assert first["应归属机构/团队"] == f"{inst_e}（{fx.INST_E}）／老矿全科团队"
    assert (first["在途申请编号"], first["申请天数"]) == ("Q003", 3)
    gulou = _records(exported / f"{fx.INST_A}.xlsx", "迁档清单", TRANSFER_HEADERS)
    assert [(r["档案编号"], r["变化"]) for r in gulou] == [
        ("R003", "仍未处理"),
        ("R001", "仍未处理"),
    ]
    assert gulou[1]["应归属机构/团队"].endswith("／环城全科二团队")  # 机构内: the contract team


def test_ids_as_text_and_injection_neutralized(exported: Path) -> None:
    names: dict[object, openpyxl.cell.cell.Cell] = {}
    for path in exported.glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        for sheet in book:
            headers = [c.value for c in sheet[1]]
            for column in ("身份证号", "档案编号", "申请编号", "机构代码"):
                if column in headers:
                    index = headers.index(column)
                    for row in sheet.iter_rows(min_row=2):
                        assert row[index].data_type == "s", (path.name, column)
            if "姓名" in headers:
                index = headers.index("姓名")
                for row in sheet.iter_rows(min_row=2):
                    names[row[index].value] = row[index]
    for malicious in fx.MALICIOUS_NAMES:
        cell = names["'" + malicious]
        assert cell.data_type == "s" and str(cell.value).startswith("'")
    assert not any(str(v).startswith("=") for v in names)
    # the ID with a check character X survives as text
    gulou_b = _records(exported / f"{fx.INST_B}.xlsx", "迁档清单", TRANSFER_HEADERS)
    assert gulou_b[0]["身份证号"] == "32030219750515002X"
    # numbers stay numbers
    cell = _rows(exported / f"{fx.INST_C}.xlsx", "迁档清单")[1][7]
    assert cell.value == 3 and cell.data_type == "n"


def test_duplicate_and_stale_sheets(exported: Path) -> None:
    dup = _records(exported / f"{fx.INST_B}.xlsx", "重复档案", DUPLICATE_HEADERS)
    assert len(dup) == 1 and dup[0]["档案编号"] == "R010；R011" and dup[0]["有效档案数"] == 2
    assert dup[0]["变化"] == "仍未处理" and dup[0]["姓名"] == "陈志明"
    assert fx.INSTITUTIONS[fx.INST_A][0] in str(dup[0]["管理机构"])
    # a person resolved since February shows once, in each institution that held a record
    d_dup = _records(exported / f"{fx.INST_D}.xlsx", "重复档案", DUPLICATE_HEADERS)
    assert [(r["身份证号"], r["变化"]) for r in d_dup] == [("320302194505070123", "已解决")]
    stale = _records(exported / f"{fx.INST_A}.xlsx", "失效档案", STALE_HEADERS)
    assert {(r["档案编号"], r["失效原因"], r["变化"]) for r in stale} == {
        ("R020", "已死亡", "新增"),
        ("R023", "不在人口库", "新增"),
    }
    e_stale = _records(exported / f"{fx.INST_E}.xlsx", "失效档案", STALE_HEADERS)
    assert [(r["档案编号"], r["变化"]) for r in e_stale] == [("R022", "已解决")]


def test_district_bureau_file(exported: Path) -> None:
    path = exported / "district_320302.xlsx"
    records = _records(path, "跨区域迁档协调", ESCALATION_HEADERS)
    assert [(r["申请编号"], r["本区角色"], r["变化"]) for r in records] == [
        ("Q002", "迁出", "仍未处理"),
        ("Q004", "迁入", "新增"),
        ("Q005", "迁入", "新增"),
        ("Q006", "迁出", "已解决"),
    ]
    q005 = records[2]
    assert q005["协调转办"] == "是" and q005["申请天数"] == 5 and q005["姓名"] == "郑国强"
    assert (q005["迁出区县"], q005["迁入区县"]) == ("云龙区", "鼓楼区")
    summary = _records(path, "机构迁档汇总", SUMMARY_HEADERS)
    assert [r["机构代码"] for r in summary] == [fx.INST_A, fx.INST_B]
    a = summary[0]
    assert (a["机构内"], a["区域内"], a["跨区域"], a["迁档清单合计"]) == (1, 0, 1, 2)
    assert (a["仍未处理"], a["有在途申请"]) == (2, 1)
    assert (a["重复档案（人）"], a["失效档案（份）"]) == (1, 2)
    yunlong = _records(exported / "district_320303.xlsx", "机构迁档汇总", SUMMARY_HEADERS)
    c = next(r for r in yunlong if r["机构代码"] == fx.INST_C)
    assert (c["其中新增"], c["上期已解决"]) == (1, 1)
    assert (
        next(r for r in yunlong if r["机构代码"] == fx.INST_D)["机构名称"]
        == (fx.INSTITUTIONS[fx.INST_D][0])
    )


def test_february_list_has_no_previous(warehouse: Path, tmp_path: Path) -> None:
    files = export_ehr_worklists(warehouse, tmp_path, dt.date(2026, 2, 28))
    names = {f.path.name for f in files}
    assert f"{fx.INST_B}.xlsx" in names and "district_320305.xlsx" in names
    records = _records(
        tmp_path / "worklists/health_records/2026-02-28" / f"{fx.INST_A}.xlsx",
        "迁档清单",
        TRANSFER_HEADERS,
    )
    assert {r["变化"] for r in records} == {"新增"}


def test_publish_health_records(warehouse: Path, tmp_path: Path) -> None:
    published = publish_health_records(
        warehouse, tmp_path, dt.date(2026, 4, 15), generated_at=dt.datetime(2026, 4, 5)
    )
    assert published.report_html == tmp_path / "reports" / "health_records_report_2026-03.html"
    assert published.list_date == dt.date(2026, 3, 31)
    assert len(published.worklists) == 5 and len(published.district_worklists) == 3
    assert all(p.is_file() for p in published.all())
    html = published.report_html.read_text(encoding="utf-8")
    for id_number in fx.identity_persons()["id_number"]:
        assert id_number not in html
    earlier = publish_health_records(warehouse, tmp_path / "feb", dt.date(2026, 3, 1))
    assert earlier.month.period_label == "2026-02" and earlier.list_date == dt.date(2026, 2, 28)


# --- in a browser ----------------------------------------------------------------------------


def _chromium_available() -> bool:
    try:
        find_chromium()
    except ChromiumNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _chromium_available(), reason="Chromium is not installed")
def test_charts_render_with_chinese_text(warehouse: Path, tmp_path: Path) -> None:
    path = write_health_records_report(
        load_health_records_data(warehouse), tmp_path, generated_at=dt.datetime(2026, 4, 5)
    )
    result = run_chromium("--virtual-time-budget=8000", "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr[-500:]
    dom = result.stdout
    assert fx.TITLE in dom
    charts = (
        "coverage",
        "use",
        "unique",
        "placed",
        "transfer-timeliness",
        "trend-ehr-cov",
        "trend-ehr-use",
        "trend-ehr-placed",
    )
    for chart in charts:
        div = re.search(rf'<div id="chart-{chart}"[^>]*>(.*?)</div>\s*<script', dom, re.S)
        assert div and 'class="main-svg"' in div.group(1), chart
    # the axis and title texts are drawn in SVG, in Chinese
    svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", dom))
    assert "电子健康档案建档率（按区县）" in svg_text
    assert "鼓楼区" in svg_text and "云龙区" in svg_text
    assert fx.INSTITUTIONS[fx.INST_D][0] in svg_text
