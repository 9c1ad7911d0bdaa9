"""The vision report: self-contained, Chinese, small cells suppressed, numbers as in the marts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from reports.chromium import ChromiumNotFoundError
from reports.vision_report import render_vision_report, select_period, to_pdf
from reports.warehouse import load_vision_data
from tests.report_fixtures import (
    DISTRICTS,
    FINAL,
    INST_JIAWANG,
    INST_YUNLONG,
    INSTITUTION_NAMES,
    PERSONS,
    TEAM_GULOU,
    TEAM_NAMES,
    TEAM_YUNLONG,
    fixture_warehouse_path,
    identity_persons,
)

TITLE = "徐州市0～6岁儿童眼保健和视力检查统计报告（2026统计年度，截至2025年12月31日）"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = fixture_warehouse_path(tmp_path_factory.mktemp("wh"))
    _, html = render_vision_report(load_vision_data(path), generated_at=dt.datetime(2026, 1, 5))
    return html


def _without_plotly_js(html: str) -> str:
    start = html.index("<script>")
    end = html.index("</script>", start)
    return html[:start] + html[end:]


def _expected(numerator: int, denominator: int) -> tuple[str, str, str]:
    """What the table must show, computed here by hand from the fixture's counts."""
    num = "<5" if 1 <= numerator <= 4 else f"{numerator:,}"
    rate = "—" if denominator < 10 else f"{round(100 * numerator / denominator, 2):.2f}%"
    return num, f"{denominator:,}", rate


def test_title_and_period(report: str) -> None:
    assert f"<title>{TITLE}</title>" in report
    assert f'<h1 id="report-title">{TITLE}</h1>' in report
    assert 'lang="zh-CN"' in report


def test_self_contained_plotly_inlined_once(report: str) -> None:
    # plotly.js itself exactly once, inline in <head>; figures only call Plotly.newPlot
    assert report.count("* plotly.js v") == 1
    assert report.index("* plotly.js v") < report.index("</head>")
    assert report.count("Plotly.newPlot(") == 5
    rest = _without_plotly_js(report)
    assert "* plotly.js v" not in rest
    # no external resource of any kind outside plotly.js's own (unused) strings
    assert not re.search(r"""<(script|link|img|iframe|source)[^>]+(src|href)\s*=""", rest, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", rest, re.I)
    assert "https://" not in rest and "http://" not in rest
    assert "@import" not in rest and "url(" not in rest


def test_print_css_and_fonts(report: str) -> None:
    assert "size: A4 portrait" in report
    assert "page-break-inside: avoid" in report
    assert "width: 170mm" in report
    assert '"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei"' in report
    assert "@top-center" in report  # print header with the title on every page
    # plotly's layout font is the same stack (JSON-escaped in the figure data)
    assert '"family":"\\"Noto Sans CJK SC\\"' in report


def _district_rows(report: str) -> dict[str, dict[str, tuple[str, str, str]]]:
    table = re.search(r'<table id="district-table">(.*?)</table>', report, re.S)
    assert table
    rows: dict[str, dict[str, tuple[str, str, str]]] = {}
    for unit, body in re.findall(r'<tr data-unit="([^"]+)"[^>]*>(.*?)</tr>', table.group(1), re.S):
        cells = {}
        for code, cell in re.findall(
            r'<td class="ind" data-indicator="([A-Z0-9_]+)">(.*?)</td>', body, re.S
        ):  # noqa: E501
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


def test_district_table_one_row_per_district_with_the_numbers(report: str) -> None:
    rows = _district_rows(report)
    assert list(rows) == ["320300", *sorted(DISTRICTS), "unknown"]
    for (code, _level, unit, _name, _district), counts in FINAL.items():
        if _level in ("city", "district"):
            assert rows[unit][code] == _expected(*counts), (code, unit)
    # spot checks written out by hand
    assert rows["320300"]["VIS_COV"] == ("638", "709", "89.99%")
    assert rows["320303"]["VIS_POOR_6"] == ("<5", "40", "7.50%")
    assert rows["320305"]["VIS_FOLLOWUP"] == ("<5", "3", "—")
    assert rows["320305"]["VIS_COV"] == ("8", "9", "—")


def test_marks_not_shown_for_withheld_rates(report: str) -> None:
    table = re.search(r'<tr data-unit="320305".*?</tr>', report, re.S)
    assert table and "未达标" not in table.group(0) and ">达标<" not in table.group(0)


def test_suppressed_bars_not_drawn_and_noted(report: str) -> None:
    coverage = re.search(r'"chart-coverage",\s*(\[.*?\]),\s*\{', report, re.S)
    assert coverage
    assert '"y":[92.0,85.0,null]' in coverage.group(1)
    assert '"8","9","\\u2014"' in coverage.group(1)  # hover shows — for the rate
    assert "图中未绘制：贾汪区" in report
    # the small numerator 3 (云龙区 VIS_POOR_6) is <5 in the hover data, never "3"
    poor = re.search(r'"chart-poor-vision",\s*(\[.*?\]),\s*\{', report, re.S)
    assert poor and '["\\u003c5","40","7.50%"]' in poor.group(1)


def test_actions_are_counts_only(report: str) -> None:
    section = report[
        report.index('<section id="actions">') : report.index('<section id="appendix"')
    ]
    assert "共 <strong>13</strong> 人" in section
    assert "已超过30天复查期限 <strong>10</strong> 人" in section
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", section)
    # most overdue first: 云龙区 T02 (60 days), 鼓楼区 T01 (45), 贾汪区 no team (30), unknown (5);
    # institutions and teams by name where the list has one, else by code
    assert [r[2] for r in rows[:4]] == [
        TEAM_NAMES[TEAM_YUNLONG],
        TEAM_NAMES[TEAM_GULOU],
        "（无签约团队）",
        "（无签约团队）",
    ]
    assert [r[1] for r in rows[:4]] == [
        INSTITUTION_NAMES[INST_YUNLONG],
        "鼓楼区华宁社区卫生服务中心",
        INST_JIAWANG,  # no name in the registry: the code
        "（无责任机构）",
    ]
    assert INST_YUNLONG not in section
    assert "上期清单 5 人" in section and "已复查 <strong>&lt;5</strong> 人" in section


def test_no_clear_id_name_or_person_key_in_report(report: str) -> None:
    identity = identity_persons()
    for id_number in identity["id_number"]:
        assert id_number not in report
    for _, _, name, _, _ in PERSONS:
        if len(name) >= 3 and name[0] not in "=+-@\t":
            assert name not in report
    for key in identity["person_key"]:
        assert f'"{key}"' not in report and f">{key}<" not in report


def test_registry_names_and_definitions(report: str) -> None:
    appendix = report[report.index('<section id="appendix"') :]
    assert "VIS_FOLLOWUP 异常儿童复查转诊完成率" in appendix
    assert "检查异常儿童在30天内完成复查或转诊的比例" in appendix


def test_select_period_prefers_quarter_and_respects_as_of(tmp_path: Path) -> None:
    data = load_vision_data(fixture_warehouse_path(tmp_path))
    assert select_period(data.results).period_label == "2026Q1"
    november = select_period(data.results, dt.date(2025, 12, 30))
    assert (november.period_label, november.file_name) == (
        "2025-11",
        "vision_report_2026_2025-11.html",
    )  # noqa: E501
    with pytest.raises(ValueError, match="xzh build"):
        select_period(data.results, dt.date(2025, 1, 1))


def test_to_pdf_says_when_chromium_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(ChromiumNotFoundError, match="BROWSER_PATH"):
        html = tmp_path / "r.html"
        html.write_text("<html></html>")
        to_pdf(html, tmp_path / "x.pdf")
