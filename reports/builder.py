"""The part of an HTML report's builder that does not depend on the indicator chain.

Both reports (:mod:`reports.vision_report`, :mod:`reports.health_records_report`) show a set of
indicators for one period: headline cards, key points, bars by district, a ranking, a district
table and the registry's definitions. :class:`IndicatorReportBuilder` holds those sections once,
parameterised by the report's data, its indicator codes and its period; each report subclasses
it for what only it shows and where its wording differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd
from markupsafe import Markup

from reports import charts
from reports.charts import RateCell
from reports.page import Footnotes, number_or_none, rate_cell
from reports.suppression import is_missing

CITY_CODE = "320300"
UNKNOWN_DISTRICT = "unknown"
UNKNOWN_DISTRICT_LABEL = "未知区县"

# A ranked unit: its rate cell and the label of its district.
RankEntry = tuple[RateCell, str]


class IndicatorData(Protocol):
    """What the builder reads from a chain's data: its results and the indicator registry."""

    @property
    def results(self) -> pd.DataFrame: ...

    @property
    def registry(self) -> pd.DataFrame: ...


DataT = TypeVar("DataT", bound=IndicatorData)


def unknown_last(code: str) -> tuple[bool, str]:
    """Sort key of district codes: by code, with the unknown district at the end."""
    return code == UNKNOWN_DISTRICT, code


def month_labels(ends: Sequence[dt.date]) -> list[str]:
    """Trend axis labels of month ends: the year only on the first month and on each January."""
    return [
        f"{d.year}年{d.month}月" if i == 0 or d.month == 1 else f"{d.month}月"
        for i, d in enumerate(ends)
    ]


class IndicatorReportBuilder(Generic[DataT]):
    """The sections of a report on ``indicators`` for one period (``period_type`` and
    ``period_label``), each number through the small-cell rule.

    A subclass sets :attr:`district_names` and :attr:`districts` (the reports name and select
    their districts differently) and may override :meth:`card`, :meth:`untargeted_point` and
    :meth:`appendix_entry` to say more.
    """

    def __init__(
        self, data: DataT, indicators: Sequence[str], period_type: str, period_label: str
    ) -> None:
        self.data = data
        self.indicators = indicators
        results = data.results
        self.current = results[
            (results["period_type"] == period_type)
            & (results["period_label"] == period_label)
            & (results["indicator_code"].isin(indicators))
        ]
        self.registry = {str(row["indicator_code"]): row for _, row in data.registry.iterrows()}
        self.notes = Footnotes()
        self.district_names: dict[str, str] = {}
        self.districts: list[str] = []

    # --- lookups -------------------------------------------------------------------------
    def name(self, code: str) -> str:
        row = self.registry.get(code)
        return str(row["name_zh"]) if row is not None else code

    def target(self, code: str) -> float | None:
        rows = self.current[self.current["indicator_code"] == code]["target"].dropna()
        if not rows.empty:
            return float(rows.iloc[0])
        row = self.registry.get(code)
        return None if row is None else number_or_none(row["target"])

    def row(self, code: str, level: str, unit: str) -> pd.Series | None:
        rows = self.current[
            (self.current["indicator_code"] == code)
            & (self.current["level"] == level)
            & (self.current["unit_code"] == unit)
        ]
        return None if rows.empty else rows.iloc[0]

    def district_label(self, code: object) -> str:
        if is_missing(code):
            return UNKNOWN_DISTRICT_LABEL
        return self.district_names.get(str(code), str(code))

    def district_cells(self, code: str) -> list[RateCell]:
        cells = []
        for district in self.districts:
            row = self.row(code, "district", district)
            if row is not None:
                cells.append(rate_cell(row, self.district_label(district)))
        return cells

    def units(self) -> list[tuple[str, str, str]]:
        """(level, unit code, label) of the city and then each district."""
        return [("city", CITY_CODE, "全市")] + [
            ("district", d, self.district_label(d)) for d in self.districts
        ]

    # --- sections --------------------------------------------------------------------------
    def card(self, code: str) -> dict[str, Any]:
        return {
            "code": code,
            "name": self.name(code),
            "cell": rate_cell(self.row(code, "city", CITY_CODE), "全市"),
            "target": self.target(code),
        }

    def cards(self) -> list[dict[str, Any]]:
        return [self.card(code) for code in self.indicators]

    def untargeted_point(self, code: str, sentence: str) -> str:
        """The key point of an indicator without a target, given its city figure."""
        return sentence + "。"

    def key_points(self) -> list[str]:
        """One plain sentence per indicator: the city figure against its target and the
        districts that miss it (withheld rates are not judged)."""
        points = []
        for code in self.indicators:
            city = rate_cell(self.row(code, "city", CITY_CODE), "全市")
            target = self.target(code)
            if city.shown_rate is None:
                points.append(f"{self.name(code)}：全市数据过少或缺失，不显示。")
                continue
            sentence = f"{self.name(code)}：全市{city.rate_text}"
            if target is None:
                points.append(self.untargeted_point(code, sentence))
                continue
            sentence += f"，{'达到' if city.met else '未达到'}{target:g}%的目标"
            missed = [c.label for c in self.district_cells(code) if c.met is False]
            sentence += (
                f"；未达标区县：{'、'.join(missed)}。" if missed else "；各区县均达标或数据过少。"
            )
            points.append(sentence)
        return points

    def district_bar(self, code: str, div_id: str, section: str | None = None) -> dict[str, Any]:
        """The indicator's bars by district; withheld districts are noted under ``section``
        (default: the indicator code)."""
        cells = self.district_cells(code)
        target = self.target(code)
        figure = charts.rate_bars(cells, f"{self.name(code)}（按区县）", target)
        return {
            "html": Markup(charts.figure_html(figure, div_id)),
            "suppressed": self.notes.add(section or code, [c.label for c in cells if c.suppressed]),
            "target": target,
            "name": self.name(code),
        }

    def unit_series(
        self, rows: pd.DataFrame, ends: Sequence[dt.date], labels: Sequence[str]
    ) -> tuple[dict[str, list[RateCell]], list[str]]:
        """A trend's lines: per unit with rows, its cell at each period end, and the withheld
        points (unit label and axis label) for the footnote."""
        series: dict[str, list[RateCell]] = {}
        withheld: list[str] = []
        for level, unit, label in self.units():
            of_unit = rows[(rows["level"] == level) & (rows["unit_code"] == unit)]
            if of_unit.empty:
                continue
            by_end = {r["period_end"]: r for _, r in of_unit.iterrows()}
            cells = [rate_cell(by_end.get(end), label) for end in ends]
            series[label] = cells
            withheld += [f"{label}{m}" for m, c in zip(labels, cells, strict=True) if c.suppressed]
        return series, withheld

    def ranking(
        self,
        code: str,
        entries: list[RankEntry],
        shown: list[RankEntry],
        limit: int,
        chart_title: str,
        div_id: str,
    ) -> dict[str, Any]:
        """The ``limit`` first of ``shown`` (the entries with a shown rate, in rank order) as a
        chart and table, with the counts the text cites; withheld entries are only counted."""
        top = shown[:limit]
        target = self.target(code)
        figure = charts.ranking_bars(
            [e[0] for e in top], f"{self.name(code)}（{chart_title}）", target
        )
        return {
            "html": Markup(charts.figure_html(figure, div_id)),
            "rows": [
                {"rank": i + 1, "cell": cell, "district": district}
                for i, (cell, district) in enumerate(top)
            ],
            "total": len(entries),
            "ranked": len(shown),
            "not_met": sum(1 for e in shown if e[0].met is False),
            "more": max(0, len(shown) - len(top)),
            "withheld": sum(1 for e in entries if e[0].shown_rate is None),
            "target": target,
        }

    def district_table(self) -> dict[str, Any]:
        rows = []
        for level, unit, label in self.units():
            cells = {
                code: rate_cell(self.row(code, level, unit), label) for code in self.indicators
            }
            rows.append(
                {"unit_code": unit, "label": label, "is_city": level == "city", "cells": cells}
            )
        headers = [
            {"code": code, "name": self.name(code), "target": self.target(code)}
            for code in self.indicators
        ]
        return {"headers": headers, "rows": rows}

    def appendix_entry(self, code: str, row: pd.Series) -> dict[str, Any]:
        """An indicator's definition from its registry row."""
        return {
            "code": code,
            "name": row["name_zh"],
            "definition": row["definition_zh"],
            "numerator": row["numerator_zh"],
            "denominator": row["denominator_zh"],
            "target": number_or_none(row["target"]),
            "source": row["source_document"],
            "missing": False,
        }

    def appendix(self) -> list[dict[str, Any]]:
        entries = []
        for code in self.indicators:
            row = self.registry.get(code)
            if row is None:
                entries.append({"code": code, "name": code, "missing": True})
            else:
                entries.append(self.appendix_entry(code, row))
        return entries


__all__ = [
    "CITY_CODE",
    "UNKNOWN_DISTRICT",
    "UNKNOWN_DISTRICT_LABEL",
    "IndicatorData",
    "IndicatorReportBuilder",
    "RankEntry",
    "month_labels",
    "unknown_last",
]
