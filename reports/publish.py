"""Publish the child-vision chain's outputs in one call (the CLI and the DAG call this).

``publish_vision(warehouse, out_dir, as_of)`` reads the built marts once (read-only) and writes

- ``<out>/reports/vision_report_<statistical year>_<period>.html`` — the commission's report
  (self-contained, small cells suppressed), and its PDF when ``pdf=True`` (needs Chromium);
- ``<out>/exports/indicator_results_<statistical year>_<period>.csv`` — every indicator result
  up to the report's period end (UTF-8 with BOM);
- ``<out>/worklists/<list_date>/<institution>/<team or no-team>.xlsx`` — the 干预清单 per team.

Everything is keyed by the report period, not by "now": rerunning for the same ``as_of``
rewrites the same files. No Airflow import here.

``publish_health_records(warehouse, out_dir, as_of)`` does the same for the health-record chain
(档随人走): the monthly report ``<out>/reports/health_records_report_<YYYY-MM>.html`` and the
worklists ``<out>/worklists/health_records/<list_date>/<institution_code>.xlsx`` and
``district_<code>.xlsx``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.ehr_worklist_export import export_ehr_worklists
from reports.health_records_report import ReportMonth, render_health_records_report
from reports.health_records_report import latest_list_date as latest_ehr_list_date
from reports.indicator_export import export_indicator_csv
from reports.page import write_html
from reports.vision_report import ReportPeriod, render_vision_report, to_pdf
from reports.warehouse import load_health_records_data, load_vision_data
from reports.worklist_export import export_worklists, latest_list_date

log = logging.getLogger(__name__)


@contextmanager
def _replaced_as_a_whole(out: Path, folder: Path) -> Iterator[Path]:
    """Write a list date's worklists into a staging root, then swap the whole folder in.

    A rerun after late data must not leave the files of teams (and the names of people)
    that are no longer on the list, and a crash must not leave a half-written list.
    """
    staging = Path(tempfile.mkdtemp(prefix=".publishing-", dir=out))
    try:
        yield staging
        final = out / folder
        final.parent.mkdir(parents=True, exist_ok=True)
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        new = staging / folder
        new.mkdir(parents=True, exist_ok=True)  # an empty list replaces the old one too
        new.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _moved(written: Any, staging: Path, out: Path) -> Any:
    """The exporter's record of a file, with its path moved from the staging root to out."""
    return dataclasses.replace(written, path=out / written.path.relative_to(staging))


@dataclass(frozen=True)
class PublishedPaths:
    period: ReportPeriod
    report_html: Path
    indicators_csv: Path
    worklists: tuple[Path, ...]
    list_date: dt.date | None
    report_pdf: Path | None = None

    def all(self) -> list[Path]:
        paths = [self.report_html, self.indicators_csv, *self.worklists]
        return paths + ([self.report_pdf] if self.report_pdf else [])


def publish_vision(
    warehouse_path: str | Path,
    out_dir: str | Path,
    as_of: dt.date | None = None,
    *,
    pdf: bool = False,
    suppress_csv: bool = False,
    generated_at: dt.datetime | None = None,
) -> PublishedPaths:
    """Write the vision report, the indicator CSV and the teams' worklists; return the paths.

    ``as_of``: report on the latest period ending on or before this date, and the latest
    intervention list on or before it (default: the latest in the warehouse).
    """
    out = Path(out_dir)
    data = load_vision_data(warehouse_path)
    period, html = render_vision_report(data, as_of, generated_at)
    report = write_html(out / "reports", period.file_name, html)
    log.info("vision report written: %s", report)

    csv = export_indicator_csv(
        data.results,
        out / "exports" / f"indicator_results_{period.statistical_year}_{period.period_label}.csv",
        as_of=period.period_end,
        suppress_small_cells=suppress_csv,
    )

    list_date = latest_list_date(data.interventions, period.period_end)
    worklists = []
    if list_date:
        with _replaced_as_a_whole(out, Path("worklists") / list_date.isoformat()) as staging:
            worklists = export_worklists(warehouse_path, staging, list_date, data=data)
        worklists = [_moved(w, staging, out) for w in worklists]
    pdf_path = to_pdf(report, report.with_suffix(".pdf")) if pdf else None
    return PublishedPaths(
        period=period,
        report_html=report,
        indicators_csv=csv,
        worklists=tuple(w.path for w in worklists),
        list_date=list_date,
        report_pdf=pdf_path,
    )


# --- the health-record chain (档随人走) ---------------------------------------------------------


@dataclass(frozen=True)
class PublishedHealthRecords:
    """What :func:`publish_health_records` wrote. ``worklists``: the per-institution workbooks;
    ``district_worklists``: the per-district-bureau ones (both contain IDs and names)."""

    month: ReportMonth
    report_html: Path
    worklists: tuple[Path, ...]
    district_worklists: tuple[Path, ...]
    list_date: dt.date | None
    report_pdf: Path | None = None

    def all(self) -> list[Path]:
        paths = [self.report_html, *self.worklists, *self.district_worklists]
        return paths + ([self.report_pdf] if self.report_pdf else [])


def publish_health_records(
    warehouse_path: str | Path,
    out_dir: str | Path,
    as_of: dt.date | None = None,
    *,
    pdf: bool = False,
    generated_at: dt.datetime | None = None,
) -> PublishedHealthRecords:
    """Write the health-record report and its worklists; return the paths.

    - ``<out>/reports/health_records_report_<YYYY-MM>.html`` (and ``.pdf`` with ``pdf=True``,
      needs Chromium): the month is the latest calendar month ending on or before ``as_of``
      (default: the latest in the warehouse);
    - ``<out>/worklists/health_records/<list_date>/<institution_code>.xlsx`` and
      ``.../district_<code>.xlsx``: the lists of the latest list date on or before that month end.

    Keyed by the report month, not by "now": rerunning for the same ``as_of`` rewrites the same
    files. Raises ``ValueError`` when there is no monthly result on or before ``as_of`` and
    :class:`reports.warehouse.WarehouseError` when a table is missing.
    """
    out = Path(out_dir)
    data = load_health_records_data(warehouse_path)
    month, html = render_health_records_report(data, as_of, generated_at)
    report = write_html(out / "reports", month.file_name, html)
    log.info("health-record report written: %s", report)

    list_date = latest_ehr_list_date(data, month.period_end)
    files = []
    if list_date:
        folder = Path("worklists") / "health_records" / list_date.isoformat()
        with _replaced_as_a_whole(out, folder) as staging:
            files = export_ehr_worklists(warehouse_path, staging, list_date, data=data)
        files = [_moved(f, staging, out) for f in files]
    pdf_path = to_pdf(report, report.with_suffix(".pdf")) if pdf else None
    return PublishedHealthRecords(
        month=month,
        report_html=report,
        worklists=tuple(f.path for f in files if f.kind == "institution"),
        district_worklists=tuple(f.path for f in files if f.kind == "district"),
        list_date=list_date,
        report_pdf=pdf_path,
    )
