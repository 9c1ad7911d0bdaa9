"""What every HTML report shares: the template environment and page context, the rate cells
and footnotes the builders fill, and the atomic write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import plotly.offline
from markupsafe import Markup

from reports.charts import FONT_STACK, RateCell
from reports.suppression import (
    MIN_DENOMINATOR_FOR_RATE,
    NOT_SHOWN,
    SUPPRESSED_COUNT,
    is_missing,
)

TEMPLATES = Path(__file__).with_name("templates")


def template_environment() -> jinja2.Environment:
    """The reports' templates (each extends _report_page.html.j2: one layout and CSS)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_context(generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """Template values common to the reports: generation time, the small-cell rule's
    symbols for the footnotes, and plotly.js inlined once (no network)."""
    return {
        "generated_at": (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "font_stack": FONT_STACK,
        "suppressed_count": SUPPRESSED_COUNT,
        "min_denominator": MIN_DENOMINATOR_FOR_RATE,
        "not_shown": NOT_SHOWN,
        "plotly_js": Markup(plotly.offline.get_plotlyjs()),
    }


def number_or_none(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def rate_cell(row: pd.Series | None, label: str) -> RateCell:
    """One indicator result row (numerator, denominator, rate, target_met) as a cell."""
    if row is None:
        return RateCell(label, None, None, None)
    return RateCell(
        label=label,
        numerator=number_or_none(row["numerator"]),
        denominator=number_or_none(row["denominator"]),
        rate=number_or_none(row["rate"]),
        target_met=None if is_missing(row["target_met"]) else bool(row["target_met"]),
    )


@dataclass
class Footnotes:
    """Numbered notes of withheld values, one per chart or table."""

    suppressed: dict[str, list[str]] = field(default_factory=dict)

    def add(self, section: str, labels: list[str]) -> str:
        if labels:
            self.suppressed[section] = labels
        return "、".join(labels)


def write_html(folder: str | Path, file_name: str, html: str) -> Path:
    """``folder/file_name``, written through a temporary file so a reader never sees half."""
    path = Path(folder) / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
