"""The residents' electronic health record (档随人走) report for the health commission.

《徐州市居民电子健康档案（档随人走）统计报告（截至YYYY年M月D日）》, self-contained HTML in the look
of the vision report (:mod:`reports.vision_report`): headline cards for the month, coverage and
dynamic use by district, one-person-one-record and placement by district, transfer reply
timeliness per 迁出机构 (slowest first, by name), trends over the months, a district table and
the worklists in counts (transfer classes, escalations, duplicates, stale records, with what
changed since the previous list). It reads :class:`reports.warehouse.HealthRecordsData` —
person_key tables and registry names, never the identity store — and shows every number through
the small-cell rule (:mod:`reports.suppression`). plotly.js is inlined once; A4 print CSS.

Health-record indicators use calendar periods evaluated at the period's last day (indicators.md):
the report is about one calendar month, the latest whose end is on or before ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
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
from reports.warehouse import HealthRecordsData, NothingToPublish

log = logging.getLogger(__name__)

EHR_INDICATORS = ("EHR_COV", "EHR_USE", "EHR_UNIQUE", "EHR_PLACED", "EHR_XFER_TIMELY")
TREND_INDICATORS = ("EHR_COV", "EHR_USE", "EHR_PLACED")
TREND_MONTHS = 12
INSTITUTION_ROWS = 30
TRANSFER_CLASSES = ("机构内", "区域内", "跨区域")
CHANGES = ("new", "still_open", "resolved")
STALE_REASONS = {
    "dead": "已死亡",
    "not_resident": "非常住人口",
    "not_in_population": "不在人口库",
}


@dataclass(frozen=True)
class ReportMonth:
    """The calendar month the report is about (evaluated at its last day)."""

    period_label: str
    period_start: dt.date
    period_end: dt.date

    @property
    def end_label(self) -> str:
        return f"{self.period_end.year}年{self.period_end.month}月{self.period_end.day}日"

    @property
    def month_label(self) -> str:
        return f"{self.period_end.year}年{self.period_end.month}月"

    @property
    def title(self) -> str:
        return f"徐州市居民电子健康档案（档随人走）统计报告（截至{self.end_label}）"

    @property
    def file_name(self) -> str:
        """``health_records_report_<YYYY-MM>.html``."""
        return f"health_records_report_{self.period_label}.html"


def select_month(results: pd.DataFrame, as_of: dt.date | None = None) -> ReportMonth:
    """The latest calendar month of the health-record results ending on or before ``as_of``
    (default: the latest there is)."""
    months = results[
        results["indicator_code"].isin(EHR_INDICATORS) & (results["period_type"] == "month")
    ]
    if as_of is not None:
        months = months[months["period_end"] <= as_of]
    if months.empty:
        when = f" ending on or before {as_of}" if as_of else ""
        raise NothingToPublish(
            "indicators.indicator_results has no monthly health-record results"
            f"{when}: run `xzh build` first"
        )
    best = months.sort_values("period_end", ascending=False).iloc[0]
    return ReportMonth(
        period_label=str(best["period_label"]),
        period_start=best["period_start"],
        period_end=best["period_end"],
    )


def _as_of_names(
    frame: pd.DataFrame, code_column: str, name_column: str, as_of: dt.date
) -> dict[str, str]:
    """Registry names in force at ``as_of`` (valid_from ≤ D < valid_to), else the latest known
    (latest snapshot)."""
    latest: dict[str, tuple[dt.date, str]] = {}
    in_force: dict[str, tuple[dt.date, str]] = {}
    floor = dt.date.min
    for row in frame.to_dict("records"):
        code, name = row[code_column], row[name_column]
        if is_missing(code) or is_missing(name):
            continue
        snapshot = floor if is_missing(row["snapshot_date"]) else row["snapshot_date"]
        entry = (snapshot, str(name))
        if str(code) not in latest or entry >= latest[str(code)]:
            latest[str(code)] = entry
        starts = floor if is_missing(row["valid_from"]) else row["valid_from"]
        ends = row["valid_to"]
        current = in_force.get(str(code))
        if (
            starts <= as_of
            and (is_missing(ends) or as_of < ends)
            and (current is None or entry >= current)
        ):
            in_force[str(code)] = entry
    return {code: in_force.get(code, entry)[1] for code, entry in latest.items()}


def institution_names(data: HealthRecordsData, as_of: dt.date) -> dict[str, str]:
    """机构代码 → 机构名称 from ``intermediate.int_institutions_as_of`` as of the date."""
    return _as_of_names(data.institutions, "institution_code", "institution_name", as_of)


def team_names(data: HealthRecordsData, as_of: dt.date) -> dict[str, str]:
    """团队编码 → 团队名称 from ``intermediate.int_teams_as_of`` as of the date."""
    return _as_of_names(data.teams, "team_code", "team_name", as_of)


def district_names(results: pd.DataFrame) -> dict[str, str]:
    """District code → name from the results' district rows (``unknown`` → 未知区县)."""
    rows = results[results["level"] == "district"][["unit_code", "unit_name"]].dropna(
        subset=["unit_code"]
    )
    names = {
        str(code): str(name) if not is_missing(name) else str(code)
        for code, name in zip(rows["unit_code"], rows["unit_name"], strict=True)
    }
    names[UNKNOWN_DISTRICT] = UNKNOWN_DISTRICT_LABEL
    return names


def latest_list_date(data: HealthRecordsData, as_of: dt.date | None = None) -> dt.date | None:
    """The latest list date (any of the four lists) on or before ``as_of``."""
    dates: set[dt.date] = set()
    for frame in (data.transfers, data.escalations, data.duplicates, data.stale):
        dates |= {d for d in frame["list_date"].dropna() if as_of is None or d <= as_of}
    return max(dates) if dates else None


def previous_list_date(data: HealthRecordsData, list_date: dt.date) -> dt.date | None:
    """The list date before ``list_date`` (the list the change marks compare with)."""
    dates: set[dt.date] = set()
    for frame in (data.transfers, data.escalations, data.duplicates, data.stale):
        dates |= {d for d in frame["list_date"].dropna() if d < list_date}
    return max(dates) if dates else None


class _Builder(IndicatorReportBuilder[HealthRecordsData]):
    """The health-record sections on top of the shared ones: transfer timeliness per 迁出机构,
    the monthly trends and the worklists in counts."""

    def __init__(self, data: HealthRecordsData, month: ReportMonth) -> None:
        super().__init__(data, EHR_INDICATORS, "month", month.period_label)
        self.month = month
        # District names from all months' rows (a district absent this month keeps its name).
        self.district_names = district_names(data.results)
        present = set(self.current.loc[self.current["level"] == "district", "unit_code"])
        self.districts = sorted((str(c) for c in present if not is_missing(c)), key=unknown_last)
        self.institution_names = institution_names(data, month.period_end)

    def institution_label(self, code: object, fallback: object = None) -> str:
        if is_missing(code):
            return "（未登记机构）"
        name = self.institution_names.get(str(code))
        if name:
            return name
        return str(fallback) if not is_missing(fallback) else str(code)

    # --- sections --------------------------------------------------------------------------
    def transfer_timeliness(self) -> dict[str, Any]:
        """EHR_XFER_TIMELY per 迁出机构 of the month, lowest rate first (withheld ones not
        ranked)."""
        code = "EHR_XFER_TIMELY"
        rows = self.current[
            (self.current["indicator_code"] == code) & (self.current["level"] == "institution")
        ]
        entries = []
        for _, row in rows.iterrows():
            label = self.institution_label(row["unit_code"], row["unit_name"])
            entries.append((rate_cell(row, label), self.district_label(row["district_code"])))
        shown = sorted(
            (e for e in entries if e[0].shown_rate is not None),
            key=lambda e: (e[0].shown_rate, -(e[0].denominator or 0), e[0].label),
        )
        return {
            **self.ranking(
                code,
                entries,
                shown,
                INSTITUTION_ROWS,
                "回复最慢的迁出机构",
                "chart-transfer-timeliness",
            ),
            "slowest": [e[0].label for e in shown if e[0].met is False][:3],
        }

    def trends(self) -> list[dict[str, Any]]:
        results = self.data.results
        months = results[
            (results["period_type"] == "month")
            & (results["period_end"] <= self.month.period_end)
            & (results["level"].isin(["city", "district"]))
        ]
        ends = sorted(
            months.loc[months["indicator_code"].isin(TREND_INDICATORS), "period_end"].unique()
        )[-TREND_MONTHS:]
        labels = month_labels(ends)
        trends = []
        for code in TREND_INDICATORS:
            rows_of = months[months["indicator_code"] == code]
            series, withheld = self.unit_series(rows_of, ends, labels)
            figure = charts.trend_lines(
                labels,
                series,
                f"{self.name(code)}（各月末）",
                self.target(code),
                emphasize="全市",
                y_range=_trend_range(series, self.target(code)),
                target_in_legend=True,
            )
            trends.append(
                {
                    "code": code,
                    "name": self.name(code),
                    "html": Markup(
                        charts.figure_html(figure, f"chart-trend-{code.lower().replace('_', '-')}")
                    ),
                    "suppressed": self.notes.add(f"trend-{code}", withheld),
                }
            )
        return trends

    def worklists(self) -> dict[str, Any]:
        return worklist_summary(self.data, self.month.period_end, self.district_label)


def _trend_range(series: dict[str, list[RateCell]], target: float | None) -> tuple[float, float]:
    """The rate axis of a trend: from 10 points below the lowest shown rate (or the target),
    rounded down to a multiple of 10 and not below 0, to 105 so 100% and its label fit."""
    shown = [c.shown_rate for cells in series.values() for c in cells if c.shown_rate is not None]
    low = min([*shown, *([target] if target is not None else []), 100.0])
    return max(0.0, (low - 10) // 10 * 10), 105.0


# --- the worklists in counts -------------------------------------------------------------------


def _change_counts(frame: pd.DataFrame) -> dict[str, int]:
    changes = frame["change_since_previous"].fillna("")
    return {
        "listed": int(changes.isin(["new", "still_open"]).sum()),
        "new": int((changes == "new").sum()),
        "still_open": int((changes == "still_open").sum()),
        "resolved": int((changes == "resolved").sum()),
    }


def _shown(counts: dict[str, int]) -> dict[str, str]:
    return {key: format_count(value) for key, value in counts.items()}


def _listed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["change_since_previous"].isin(["new", "still_open"])]


def _district_codes(values: pd.Series) -> list[str]:
    codes = {UNKNOWN_DISTRICT if is_missing(c) else str(c) for c in values}
    return sorted(codes, key=unknown_last)


def worklist_summary(
    data: HealthRecordsData,
    as_of: dt.date,
    district_label: Callable[[object], str] = str,
) -> dict[str, Any]:
    """Counts from the latest lists on or before ``as_of``: transfer classes, transfers and
    escalations per district, duplicates and stale records by reason, each with new / still
    open / resolved since the previous list. Counts only — no person_key, record number, ID or
    name leaves this function; every count passes the small-cell rule."""
    list_date = latest_list_date(data, as_of)
    if list_date is None:
        return {"list_date": None}

    def on_list(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["list_date"] == list_date]

    transfers = on_list(data.transfers)
    escalations = on_list(data.escalations)
    duplicates = on_list(data.duplicates)
    stale = on_list(data.stale)

    classes = []
    for label in TRANSFER_CLASSES:
        of_class = transfers[transfers["transfer_class"] == label]
        with_request = int(_listed(of_class)["open_request_no"].notna().sum())
        classes.append(
            {
                "label": label,
                **_shown(_change_counts(of_class)),
                "with_request": format_count(with_request),
            }
        )
    transfer_total = {
        **_shown(_change_counts(transfers)),
        "with_request": format_count(int(_listed(transfers)["open_request_no"].notna().sum())),
    }

    by_district = []
    codes = _district_codes(transfers["managing_district_code"])
    for code in codes:
        mine = transfers[
            transfers["managing_district_code"].fillna(UNKNOWN_DISTRICT).astype(str) == code
        ]
        listed = _listed(mine)
        counts = _change_counts(mine)
        by_district.append(
            {
                "district": district_label(None if code == UNKNOWN_DISTRICT else code),
                "classes": [
                    format_count(int((listed["transfer_class"] == label).sum()))
                    for label in TRANSFER_CLASSES
                ],
                **_shown(counts),
            }
        )

    escalation_rows = []
    codes = _district_codes(escalations["from_district_code"])
    for code in codes:
        mine = escalations[
            escalations["from_district_code"].fillna(UNKNOWN_DISTRICT).astype(str) == code
        ]
        listed = _listed(mine)
        flagged = int(listed["is_escalated_flag"].fillna(False).astype(bool).sum())
        oldest = listed["age_days"].max()
        incoming = _listed(escalations)
        incoming = incoming[
            incoming["to_district_code"].fillna(UNKNOWN_DISTRICT).astype(str) == code
        ]
        escalation_rows.append(
            {
                "district": district_label(None if code == UNKNOWN_DISTRICT else code),
                **_shown(_change_counts(mine)),
                "flagged": format_count(flagged),
                "incoming": format_count(len(incoming)),
                "oldest": NOT_SHOWN if is_missing(oldest) else f"{int(oldest)}",
            }
        )
    listed_escalations = _listed(escalations)
    escalation_total = {
        **_shown(_change_counts(escalations)),
        "flagged": format_count(
            int(listed_escalations["is_escalated_flag"].fillna(False).astype(bool).sum())
        ),
    }

    listed_duplicates = _listed(duplicates)
    duplicate_total = {
        **_shown(_change_counts(duplicates)),
        "records": format_count(int(listed_duplicates["record_count"].fillna(0).sum())),
    }

    stale_rows = [
        {"label": label, **_shown(_change_counts(stale[stale["stale_reason"] == reason]))}
        for reason, label in STALE_REASONS.items()
    ]
    other = stale[~stale["stale_reason"].isin(list(STALE_REASONS))]
    if not other.empty:
        stale_rows.append({"label": "其他", **_shown(_change_counts(other))})

    return {
        "list_date": list_date,
        "previous_list_date": previous_list_date(data, list_date),
        "classes": classes,
        "transfer_total": transfer_total,
        "by_district": by_district,
        "escalations": escalation_rows,
        "escalation_total": escalation_total,
        "duplicates": duplicate_total,
        "stale": stale_rows,
        "stale_total": _shown(_change_counts(stale)),
    }


# --- rendering -------------------------------------------------------------------------------


def render_health_records_report(
    data: HealthRecordsData,
    as_of: dt.date | None = None,
    generated_at: dt.datetime | None = None,
) -> tuple[ReportMonth, str]:
    """The report's month and its complete HTML (plotly.js inlined once, no network)."""
    month = select_month(data.results, as_of)
    builder = _Builder(data, month)
    context = {
        "month": month,
        "title": month.title,
        "cards": builder.cards(),
        "key_points": builder.key_points(),
        "coverage": builder.district_bar("EHR_COV", "chart-coverage"),
        "use": builder.district_bar("EHR_USE", "chart-use"),
        "unique": builder.district_bar("EHR_UNIQUE", "chart-unique"),
        "placed": builder.district_bar("EHR_PLACED", "chart-placed"),
        "timeliness": builder.transfer_timeliness(),
        "trends": builder.trends(),
        "district_table": builder.district_table(),
        "worklists": builder.worklists(),
        "appendix": builder.appendix(),
        **page_context(generated_at),
    }
    html = template_environment().get_template("health_records_report.html.j2").render(**context)
    return month, html


def write_health_records_report(
    data: HealthRecordsData,
    out_dir: str | Path,
    as_of: dt.date | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write ``<out_dir>/health_records_report_<YYYY-MM>.html`` and return its path."""
    month, html = render_health_records_report(data, as_of, generated_at)
    path = write_html(out_dir, month.file_name, html)
    log.info("health-record report %s written: %s (%s bytes)", month.period_label, path, len(html))
    return path


__all__ = [
    "ReportMonth",
    "institution_names",
    "latest_list_date",
    "previous_list_date",
    "render_health_records_report",
    "select_month",
    "team_names",
    "to_pdf",
    "worklist_summary",
    "write_health_records_report",
]
