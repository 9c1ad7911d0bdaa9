"""When and where the reports are published: the report DAG and ``xzh report`` share this.

A run publishes as of a date, never "now": the monthly run of a month publishes the
year-to-date figures at the previous month's last day (the figures of that month are
complete once its deliveries are in, see the schedule in dags/xzh_reports.py). The run of
October publishes as of 30 September, the end of the statistical year: the annual report.
The report itself picks the latest published period on or before that date, so a run after
the data ends still publishes the last complete period instead of an empty one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ingest.config import PlatformConfig


def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


def reports_root(config: PlatformConfig) -> Path:
    return config.data_root / "reports"


def publish_vision_reports(
    config: PlatformConfig, as_of: dt.date | None = None, *, pdf: bool = False
) -> dict[str, Any]:
    """Publish the child-vision chain as of ``as_of`` (None: the latest period with data).

    Returns what was written, as plain values (an Airflow task returns it as XCom): no
    clear ID or name, only paths, the period and the list date.
    """
    from reports.publish import publish_vision

    out = reports_root(config)
    published = publish_vision(config.warehouse, out, as_of=as_of, pdf=pdf)
    return {
        "period": f"{published.period.statistical_year} {published.period.period_label}",
        "period_end": published.period.period_end.isoformat(),
        "report_html": str(published.report_html),
        "report_pdf": str(published.report_pdf) if published.report_pdf else None,
        "indicators_csv": str(published.indicators_csv),
        "list_date": published.list_date.isoformat() if published.list_date else None,
        "worklists_dir": str(out / "worklists"),
        "worklists": [str(path) for path in published.worklists],
    }


def publish_health_record_reports(
    config: PlatformConfig, as_of: dt.date | None = None, *, pdf: bool = False
) -> dict[str, Any]:
    """Publish the health-record chain (档随人走) for the latest calendar month ending on or
    before ``as_of``: the report, and the worklists per institution and district bureau."""
    from reports.publish import publish_health_records

    out = reports_root(config)
    published = publish_health_records(config.warehouse, out, as_of=as_of, pdf=pdf)
    return {
        "period": published.month.period_label,
        "period_end": published.month.period_end.isoformat(),
        "report_html": str(published.report_html),
        "report_pdf": str(published.report_pdf) if published.report_pdf else None,
        "list_date": published.list_date.isoformat() if published.list_date else None,
        "worklists_dir": str(out / "worklists" / "health_records"),
        "worklists": [str(path) for path in published.worklists],
        "district_worklists": [str(path) for path in published.district_worklists],
    }
