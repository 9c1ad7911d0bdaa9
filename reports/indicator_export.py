"""CSV export of every indicator result, for statisticians and for loading into Excel.

One row per indicator, period, level and unit, as in ``indicators.indicator_results``; columns
exactly ``code, period, level, unit_code, numerator, denominator, rate``:

- ``period`` is the period label (``2026`` statistical year, ``2026Q1``, ``2025-10``; months and
  quarters are year-to-date within the statistical year);
- ``rate`` is the percent with 2 decimals, empty when the denominator is 0;
- the file is UTF-8 **with a BOM** (``utf-8-sig``): Excel on Windows then opens the Chinese
  text and codes correctly by double-click; other readers (pandas, DuckDB, Python's csv with
  ``encoding="utf-8-sig"``) skip the BOM.

By default the counts are exact, like the warehouse table they copy (the small-cell rule is for
published reports). With ``suppress_small_cells=True`` the file follows that rule instead
(numerator 1–4 → ``<5``, rate empty under denominator 10), for a copy that leaves the platform.
The results carry no person key, clear ID or name.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd

from reports.suppression import SUPPRESSED_COUNT, is_small_count, rate_is_shown

log = logging.getLogger(__name__)

CSV_COLUMNS = ("code", "period", "level", "unit_code", "numerator", "denominator", "rate")
CSV_ENCODING = "utf-8-sig"
_LEVEL_ORDER = {"city": 0, "district": 1, "kindergarten": 2, "school": 3}
_PERIOD_ORDER = {"year": 0, "quarter": 1, "month": 2}


def _count(value: object) -> str:
    return "" if pd.isna(value) else str(int(value))  # type: ignore[call-overload]


def indicator_rows(
    results: pd.DataFrame, as_of: dt.date | None = None, suppress_small_cells: bool = False
) -> pd.DataFrame:
    """The export's rows as text, sorted by code, period end, period type, level and unit."""
    frame = results if as_of is None else results[results["period_end"] <= as_of]
    frame = frame.assign(
        _period=frame["period_type"].map(_PERIOD_ORDER).fillna(9),
        _level=frame["level"].map(_LEVEL_ORDER).fillna(9),
    ).sort_values(["indicator_code", "period_end", "_period", "_level", "unit_code"])
    numerators = []
    rates = []
    for numerator, denominator, rate in zip(
        frame["numerator"], frame["denominator"], frame["rate"], strict=True
    ):
        small = suppress_small_cells and is_small_count(numerator)
        hidden = suppress_small_cells and not rate_is_shown(denominator)
        numerators.append(SUPPRESSED_COUNT if small else _count(numerator))
        rates.append("" if hidden or pd.isna(rate) else f"{float(rate):.2f}")
    return pd.DataFrame(
        {
            "code": frame["indicator_code"].astype(str).to_numpy(),
            "period": frame["period_label"].astype(str).to_numpy(),
            "level": frame["level"].astype(str).to_numpy(),
            "unit_code": frame["unit_code"].astype(str).to_numpy(),
            "numerator": numerators,
            "denominator": [_count(v) for v in frame["denominator"]],
            "rate": rates,
        },
        columns=list(CSV_COLUMNS),
    )


def export_indicator_csv(
    results: pd.DataFrame,
    path: str | Path,
    as_of: dt.date | None = None,
    suppress_small_cells: bool = False,
) -> Path:
    """Write the CSV (UTF-8 with BOM) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = indicator_rows(results, as_of, suppress_small_cells)
    tmp = path.with_suffix(".csv.tmp")
    rows.to_csv(tmp, index=False, encoding=CSV_ENCODING, lineterminator="\r\n")
    tmp.replace(path)
    log.info("indicator results: %s rows written to %s", len(rows), path)
    return path
