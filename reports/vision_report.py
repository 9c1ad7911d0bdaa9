"""The child eye-care and vision report for the health commission (self-contained HTML).

《徐州市0～6岁儿童眼保健和视力检查统计报告（<统计年度>，截至<date>）》: headline cards, charts by
district, the year-to-date trend, the kindergarten ranking, poor vision at 6 by sex, follow-up
completion, a district table with every indicator, and what needs action (counts only). It reads
:class:`reports.warehouse.VisionData` — person_key tables, never the identity store — and shows
every number through the small-cell rule (:mod:`reports.suppression`). plotly.js is inlined
once, so the file opens offline; the CSS prints on A4 portrait.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from reports import charts
from reports.builder import (
    UNKNOWN_DISTRICT,
    UNKNOWN_DISTRICT_LABEL,
    IndicatorReportBuilder,
    month_labels,
    unknown_last,
)
from reports.charts import RateCell
from reports.chromium import to_pdf as to_pdf
from reports.page import page_context, rate_cell, template_environment, write_html
from reports.suppression import (
    NOT_SHOWN,
    format_count,
    is_missing,
)
from reports.warehouse import NothingToPublish, VisionData

log = logging.getLogger(__name__)

VISION_INDICATORS = ("VIS_COV", "VIS_POOR_6", "VIS_FOLLOWUP", "VIS_KG_COV", "VIS_SCHOOL_LINK")
# At one period end a year result is preferred to a quarter, a quarter to a month (all are
# year-to-date, so they agree; the label is the more familiar one).
PERIOD_PREFERENCE = {"year": 0, "quarter": 1, "month": 2}
SEX_LABELS = {"1": "男", "2": "女"}
KINDERGARTEN_ROWS = 30
ACTION_ROWS = 40
# The responsible unit of an intervention list row, from district down to team.
RESPONSIBLE_KEYS = [
    "responsible_district_code",
    "responsible_institution_code",
    "responsible_team_code",
]


@dataclass(frozen=True)
class ReportPeriod:
    statistical_year: int
    period_type: str
    period_label: str
    period_start: dt.date
    period_end: dt.date

    @property
    def year_label(self) -> str:
        return f"{self.statistical_year}统计年度"

    @property
    def end_label(self) -> str:
        return f"{self.period_end.year}年{self.period_end.month}月{self.period_end.day}日"

    @property
    def title(self) -> str:
        return (
            f"徐州市0～6岁儿童眼保健和视力检查统计报告（{self.year_label}，截至{self.end_label}）"
        )

    @property
    def file_name(self) -> str:
        """``vision_report_<statistical year>_<period label>.html``."""
        return f"vision_report_{self.statistical_year}_{self.period_label}.html"


def select_period(results: pd.DataFrame, as_of: dt.date | None = None) -> ReportPeriod:
    """The latest vision period ending on or before ``as_of`` (default: the latest there is)."""
    vision = results[results["indicator_code"].isin(VISION_INDICATORS)]
    if as_of is not None:
        vision = vision[vision["period_end"] <= as_of]
    if vision.empty:
        when = f" ending on or before {as_of}" if as_of else ""
        raise NothingToPublish(
            f"indicators.indicator_results has no vision results{when}: run `xzh build` first"
        )
    periods = vision[
        ["statistical_year", "period_type", "period_label", "period_start", "period_end"]
    ].drop_duplicates()
    periods = periods.assign(pref=periods["period_type"].map(PERIOD_PREFERENCE).fillna(9))
    best = periods.sort_values(["period_end", "pref"], ascending=[False, True]).iloc[0]
    return ReportPeriod(
        statistical_year=int(best["statistical_year"]),
        period_type=str(best["period_type"]),
        period_label=str(best["period_label"]),
        period_start=best["period_start"],
        period_end=best["period_end"],
    )


class _Builder(IndicatorReportBuilder[VisionData]):
    """The vision sections on top of the shared ones: trend of coverage, kindergarten ranking,
    poor vision by sex and the actions; cards and definitions also say lower-is-better."""

    def __init__(self, data: VisionData, period: ReportPeriod) -> None:
        super().__init__(data, VISION_INDICATORS, period.period_type, period.period_label)
        self.period = period
        # The district names are those of the period's rows (first one per code).
        districts = self.current[self.current["level"] == "district"][
            ["unit_code", "unit_name"]
        ].drop_duplicates("unit_code")
        self.district_names = {
            str(code): str(name) if not is_missing(name) else str(code)
            for code, name in zip(districts["unit_code"], districts["unit_name"], strict=True)
        }
        self.district_names.setdefault(UNKNOWN_DISTRICT, UNKNOWN_DISTRICT_LABEL)
        self.districts = sorted(
            (c for c in self.district_names if c in set(districts["unit_code"])),
            key=unknown_last,
        )

    # --- sections --------------------------------------------------------------------------
    def card(self, code: str) -> dict[str, Any]:
        return {**super().card(code), "lower_is_better": self._lower_is_better(code)}

    def _lower_is_better(self, code: str) -> bool:
        row = self.registry.get(code)
        return row is not None and str(row["direction"]) == "lower_is_better"

    def untargeted_point(self, code: str, sentence: str) -> str:
        """Without a target (poor vision: lower is better) the point names the worst district."""
        values = [c for c in self.district_cells(code) if c.shown_rate is not None]
        if values:
            worst = max(values, key=lambda c: c.shown_rate or 0.0)
            sentence += f"，区县中最高为{worst.label}（{worst.rate_text}）"
        return sentence + "。"

    def trend(self) -> dict[str, Any]:
        results = self.data.results
        months = results[
            (results["indicator_code"] == "VIS_COV")
            & (results["period_type"] == "month")
            & (results["statistical_year"] == self.period.statistical_year)
            & (results["period_end"] <= self.period.period_end)
            & (results["level"].isin(["city", "district"]))
        ]
        ends = sorted(months["period_end"].unique())
        labels = month_labels(ends)
        series, withheld = self.unit_series(months, ends, labels)
        figure = charts.trend_lines(
            labels,
            series,
            f"{self.name('VIS_COV')}（统计年度累计，按月）",
            self.target("VIS_COV"),
            emphasize="全市",
        )
        return {
            "html": Markup(charts.figure_html(figure, "chart-trend")),
            "suppressed": self.notes.add("trend", withheld),
            "months": len(labels),
        }

    def kindergartens(self) -> dict[str, Any]:
        """VIS_KG_COV per kindergarten, lowest coverage first (withheld ones not ranked)."""
        rows = self.current[
            (self.current["indicator_code"] == "VIS_KG_COV")
            & (self.current["level"] == "kindergarten")
        ]
        entries = []
        for _, row in rows.iterrows():
            name = row["unit_name"] if not is_missing(row["unit_name"]) else row["unit_code"]
            cell = rate_cell(row, str(name))
            entries.append((cell, self.district_label(row["district_code"])))
        shown = sorted(
            (e for e in entries if e[0].shown_rate is not None),
            key=lambda e: (e[0].shown_rate, e[0].label),
        )
        return self.ranking(
            "VIS_KG_COV",
            entries,
            shown,
            KINDERGARTEN_ROWS,
            "覆盖率最低的幼儿园",
            "chart-kindergartens",
        )

    def poor_vision_by_sex(self) -> dict[str, Any]:
        frame = self.data.poor_6_by_sex
        frame = frame[
            (frame["period_type"] == self.period.period_type)
            & (frame["period_label"] == self.period.period_label)
        ]
        units = self.units()
        groups: dict[str, list[RateCell]] = {}
        table = []
        withheld: list[str] = []
        for sex, sex_label in SEX_LABELS.items():
            cells = []
            for level, unit, label in units:
                rows = frame[
                    (frame["level"] == level)
                    & (frame["unit_code"] == unit)
                    & (frame["sex_code"] == sex)
                ]
                if rows.empty:
                    continue
                cell = rate_cell(rows.iloc[0], label)
                cells.append(cell)
                if cell.suppressed:
                    withheld.append(f"{label}（{sex_label}）")
            groups[sex_label] = cells
        total_cells = []
        for level, unit, label in units:
            cell = rate_cell(self.row("VIS_POOR_6", level, unit), label)
            if cell.denominator is None:
                continue
            total_cells.append(cell)
            if cell.suppressed:
                withheld.append(f"{label}（合计）")
            by_sex = {
                s: next((c for c in groups.get(s, []) if c.label == label), None)
                for s in SEX_LABELS.values()
            }
            table.append({"label": label, "total": cell, "by_sex": by_sex})
        groups["合计"] = total_cells
        figure = charts.grouped_rate_bars(
            groups,
            f"{self.name('VIS_POOR_6')}（按区县和性别）",
            colors=("#1f5f9e", "#d9822b", "#7a7a7a"),
        )
        return {
            "html": Markup(charts.figure_html(figure, "chart-poor-vision")),
            "rows": table,
            "sexes": list(SEX_LABELS.values()),
            "suppressed": self.notes.add("poor_6", withheld),
        }

    def actions(self) -> dict[str, Any]:
        return action_summary(self.data, self.period.period_end, self.district_label)

    def appendix_entry(self, code: str, row: pd.Series) -> dict[str, Any]:
        return {
            **super().appendix_entry(code, row),
            "lower_is_better": str(row["direction"]) == "lower_is_better",
        }


def _names(frame: pd.DataFrame, code_column: str, name_column: str) -> dict[str, str]:
    """Code → name from a list's rows (the worklist carries the names as of its list date);
    empty when the warehouse predates the name columns."""
    if name_column not in frame.columns:
        return {}
    named = frame[[code_column, name_column]].dropna()
    return {
        str(code): str(name)
        for code, name in zip(named[code_column], named[name_column], strict=True)
        if str(name).strip()
    }


def _team_label(
    team: object, institution: object = None, names: Mapping[str, str] | None = None
) -> str:
    """团队名称 where the list has it; else the team code without its institution's prefix when it
    has one (``<机构>-T01`` → ``T01``): the row already names the institution."""
    if is_missing(team):
        return "（无签约团队）"
    text = str(team)
    if names and text in names:
        return names[text]
    if not is_missing(institution) and text.startswith(f"{institution}-"):
        return text[len(str(institution)) + 1 :]
    return text


def _institution_label(institution: object, names: Mapping[str, str] | None = None) -> str:
    """机构名称 where the list has it, else the code."""
    if is_missing(institution):
        return "（无责任机构）"
    return (names or {}).get(str(institution), str(institution))


def _responsible(
    counts: pd.Series,
    institutions: Mapping[str, str],
    teams: Mapping[str, str],
    district_label: Any,
) -> dict[str, str]:
    """The district, institution and team labels of one responsible unit's row of counts."""
    institution = counts["responsible_institution_code"]
    return {
        "district": district_label(counts["responsible_district_code"]),
        "institution": _institution_label(institution, institutions),
        "team": _team_label(counts["responsible_team_code"], institution, teams),
    }


def action_summary(data: VisionData, as_of: dt.date, district_label: Any = str) -> dict[str, Any]:
    """Counts from the latest 干预清单 on or before ``as_of``, per responsible institution and
    team (most overdue first), and the re-monitoring of the list before it. Counts only: no
    person_key, ID or name leaves this function; every count passes the small-cell rule."""
    lists = data.interventions[data.interventions["list_date"] <= as_of]
    if lists.empty:
        return {"list_date": None, "rows": [], "total": None, "remonitoring": None}
    list_date = max(lists["list_date"])
    current = lists[lists["list_date"] == list_date].copy()
    current["overdue"] = current["days_overdue"].fillna(0) > 0
    current["overdue_30"] = current["days_overdue"].fillna(0) > 30
    current["is_new"] = current["is_new_on_list"].fillna(False).astype(bool)
    institutions = _names(current, "responsible_institution_code", "responsible_institution_name")
    teams = _names(current, "responsible_team_code", "responsible_team_name")
    grouped = (
        current.groupby(RESPONSIBLE_KEYS, dropna=False)
        .agg(
            children=("person_key", "nunique"),
            overdue=("overdue", "sum"),
            overdue_30=("overdue_30", "sum"),
            new=("is_new", "sum"),
            max_overdue=("days_overdue", "max"),
        )
        .reset_index()
        .sort_values(["max_overdue", "overdue", "children"], ascending=False, na_position="last")
    )
    rows = [
        {
            **_responsible(r, institutions, teams, district_label),
            "children": format_count(r["children"]),
            "overdue": format_count(r["overdue"]),
            "overdue_30": format_count(r["overdue_30"]),
            "new": format_count(r["new"]),
            "max_overdue": (
                NOT_SHOWN
                if is_missing(r["max_overdue"]) or r["max_overdue"] <= 0
                else f"{int(r['max_overdue'])}"
            ),
        }
        for _, r in grouped.iterrows()
    ]
    total = {
        "children": format_count(current["person_key"].nunique()),
        "overdue": format_count(int(current["overdue"].sum())),
        "overdue_30": format_count(int(current["overdue_30"].sum())),
        "new": format_count(int(current["is_new"].sum())),
        "teams": len(grouped),
    }
    return {
        "list_date": list_date,
        "rows": rows[:ACTION_ROWS],
        "more": max(0, len(rows) - ACTION_ROWS),
        "total": total,
        "remonitoring": _remonitoring_summary(data, list_date, district_label),
    }


def _remonitoring_summary(
    data: VisionData, list_date: dt.date, district_label: Any
) -> dict[str, Any] | None:
    remon = data.remonitoring[data.remonitoring["list_date"] == list_date]
    if remon.empty:
        return None
    previous_date = max(remon["previous_list_date"])
    previous = data.interventions[data.interventions["list_date"] == previous_date]
    institutions = _names(previous, "responsible_institution_code", "responsible_institution_name")
    teams = _names(previous, "responsible_team_code", "responsible_team_name")
    merged = remon.merge(
        previous[["person_key", "flagged_check_key", *RESPONSIBLE_KEYS]],
        on=["person_key", "flagged_check_key"],
        how="left",
    )
    done = merged["is_followed_up_since"].fillna(False).astype(bool)
    still_abnormal = done & (
        merged["followup_shows_poor_vision"].fillna(False).astype(bool)
        | (merged["followup_result_code"].fillna("") == "2")
        | merged["followup_action_code"].fillna("").isin(["1", "2"])
    )
    merged = merged.assign(done=done, not_done=~done, abnormal=still_abnormal)
    grouped = (
        merged.groupby(RESPONSIBLE_KEYS, dropna=False)
        .agg(
            children=("person_key", "nunique"),
            done=("done", "sum"),
            abnormal=("abnormal", "sum"),
            not_done=("not_done", "sum"),
        )
        .reset_index()
        .sort_values(["not_done", "children"], ascending=False)
    )
    rows = [
        {
            **_responsible(r, institutions, teams, district_label),
            "children": format_count(r["children"]),
            "done": format_count(r["done"]),
            "abnormal": format_count(r["abnormal"]),
            "not_done": format_count(r["not_done"]),
        }
        for _, r in grouped.iterrows()
    ]
    return {
        "previous_list_date": previous_date,
        "rows": rows[:ACTION_ROWS],
        "more": max(0, len(rows) - ACTION_ROWS),
        "total": {
            "children": format_count(merged["person_key"].nunique()),
            "done": format_count(int(done.sum())),
            "abnormal": format_count(int(still_abnormal.sum())),
            "not_done": format_count(int((~done).sum())),
        },
    }


def render_vision_report(
    data: VisionData,
    as_of: dt.date | None = None,
    generated_at: dt.datetime | None = None,
) -> tuple[ReportPeriod, str]:
    """The report's period and its complete HTML (plotly.js inlined once, no network)."""
    period = select_period(data.results, as_of)
    builder = _Builder(data, period)
    context = {
        "period": period,
        "title": period.title,
        "cards": builder.cards(),
        "key_points": builder.key_points(),
        "coverage": builder.district_bar("VIS_COV", "chart-coverage", section="coverage"),
        "trend": builder.trend(),
        "kindergartens": builder.kindergartens(),
        "poor_vision": builder.poor_vision_by_sex(),
        "followup": builder.district_bar("VIS_FOLLOWUP", "chart-followup", section="followup"),
        "district_table": builder.district_table(),
        "actions": builder.actions(),
        "appendix": builder.appendix(),
        **page_context(generated_at),
    }
    html = template_environment().get_template("vision_report.html.j2").render(**context)
    return period, html


def write_vision_report(
    data: VisionData,
    out_dir: str | Path,
    as_of: dt.date | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write ``<out_dir>/vision_report_<year>_<period>.html`` and return its path."""
    period, html = render_vision_report(data, as_of, generated_at)
    path = write_html(out_dir, period.file_name, html)
    log.info("vision report %s written: %s (%s bytes)", period.period_label, path, len(html))
    return path


__all__ = [
    "ReportPeriod",
    "action_summary",
    "render_vision_report",
    "select_period",
    "to_pdf",
    "write_vision_report",
]
