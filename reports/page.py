"""What every HTML report shares: the page context of the templates and the atomic write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import plotly.offline
from markupsafe import Markup

from reports.suppression import MIN_DENOMINATOR_FOR_RATE, NOT_SHOWN, SUPPRESSED_COUNT


def page_context(generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """Template values common to the reports: generation time, the small-cell rule's
    symbols for the footnotes, and plotly.js inlined once (no network)."""
    return {
        "generated_at": (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "suppressed_count": SUPPRESSED_COUNT,
        "min_denominator": MIN_DENOMINATOR_FOR_RATE,
        "not_shown": NOT_SHOWN,
        "plotly_js": Markup(plotly.offline.get_plotlyjs()),
    }


def write_html(folder: str | Path, file_name: str, html: str) -> Path:
    """``folder/file_name``, written through a temporary file so a reader never sees half."""
    path = Path(folder) / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
