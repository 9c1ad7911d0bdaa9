"""
### xzh_reports: monthly publication of the child-vision report, the 干预清单 and the indicator CSV

Runs on the 5th of every month at 06:00 (Asia/Shanghai), when the previous
month's deliveries are in and the nightly `xzh_warehouse` build has run. Each
run publishes **as of the last day of the previous month**, year-to-date
within the statistical year (统计年度, 1 Oct – 30 Sep); the run in October
publishes as of 30 September: the annual report of the statistical year.

What it writes under `$XZH_DATA/reports/` (paths in the task's return value):
the self-contained Chinese HTML report for officials (prints to A4), the
indicator results as CSV for statisticians, and one XLSX 干预清单 per
family-doctor team (or institution without a team), which the teams act on.

It reads `warehouse.duckdb` and therefore takes the warehouse pool's single
slot, so it never opens the file while dbt writes it. Planners may rerun or
backfill any month: the run's date decides the report, not the clock, and a
rerun rewrites the same files. Trigger with `{"as_of": "YYYY-MM-DD"}` to
publish for another date.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

from xzh.assets import WAREHOUSE_WRITER_POOL


@task(
    pool=WAREHOUSE_WRITER_POOL,
    retries=2,
    retry_delay=pendulum.duration(minutes=10),
    multiple_outputs=False,
)
def publish_child_vision() -> dict[str, object]:
    import datetime as dt

    from ingest.config import load_config
    from xzh.publishing import previous_month_end, publish_reports

    context = get_current_context()
    requested = context["params"].get("as_of")
    if requested:
        as_of: dt.date | None = dt.date.fromisoformat(requested)
    else:
        run_date = context.get("logical_date") or pendulum.now("Asia/Shanghai")
        as_of = previous_month_end(run_date.in_timezone("Asia/Shanghai").date())
    return publish_reports(load_config(), as_of)


@dag(
    dag_id="xzh_reports",
    schedule=CronTriggerTimetable("0 6 5 * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["xzh", "reports", "child-vision"],
    default_args={"owner": "data-platform", "retries": 2},
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            description="publish as of this date instead of the previous month's end",
        )
    },
    doc_md=__doc__,
)
def xzh_reports() -> None:
    publish_child_vision()


xzh_reports()
