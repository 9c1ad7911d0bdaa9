"""
### xzh_reports: monthly publication of the reports, worklists and the indicator CSV

Runs on the 5th of every month at 06:00 (Asia/Shanghai), when the previous
month's deliveries are in and the nightly `xzh_warehouse` build has run. Each
run publishes **as of the last day of the previous month**, year-to-date
within the statistical year (统计年度, 1 Oct – 30 Sep); the run in October
publishes as of 30 September: the annual report of the statistical year.

What it writes under `$XZH_DATA/reports/` (paths in the tasks' return values):

- `publish_child_vision`: the self-contained Chinese HTML report on child eye
  care for officials (prints to A4), the indicator results as CSV for
  statisticians, and one XLSX 干预清单 per family-doctor team (or institution
  without a team), which the teams act on;
- `publish_health_records`: the 档随人走 report for the month, and the
  transfer, duplicate and stale-record lists per institution plus the
  escalation list per district bureau (XLSX), each saying what changed since
  the previous list.

Both read `warehouse.duckdb` and therefore take the warehouse pool's single
slot, so they never open the file while dbt writes it. Planners may rerun or
backfill any month: the run's date decides the report, not the clock, and a
rerun rewrites the same files. Trigger with `{"as_of": "YYYY-MM-DD"}` to
publish for another date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

from xzh.assets import WAREHOUSE_WRITER_POOL


def _as_of() -> dt.date:
    """The run's date: the ``as_of`` param, else the last day of the month before the run's."""
    from xzh.publishing import previous_month_end

    context = get_current_context()
    requested = context["params"].get("as_of")
    if requested:
        return dt.date.fromisoformat(requested)
    # a manual run may have no logical date; it always has the moment it was queued for,
    # so a rerun of the same run publishes the same month
    run = context["dag_run"]
    run_date = context.get("logical_date") or run.run_after
    return previous_month_end(pendulum.instance(run_date).in_timezone("Asia/Shanghai").date())


@contextmanager
def _skipped_when_nothing_to_publish() -> Iterator[None]:
    """No period of the chain has data yet (e.g. before its first deliveries): skip, saying why."""
    from airflow.sdk.exceptions import AirflowSkipException

    from reports.warehouse import NothingToPublish

    try:
        yield
    except NothingToPublish as empty:
        raise AirflowSkipException(str(empty)) from empty


# readers of warehouse.duckdb take the writer pool's one slot: never open while dbt writes
@task(pool=WAREHOUSE_WRITER_POOL, retry_delay=pendulum.duration(minutes=10), multiple_outputs=False)
def publish_child_vision() -> dict[str, object]:
    from ingest.config import load_config
    from xzh.publishing import publish_vision_reports

    with _skipped_when_nothing_to_publish():
        return publish_vision_reports(load_config(), _as_of())


@task(pool=WAREHOUSE_WRITER_POOL, retry_delay=pendulum.duration(minutes=10), multiple_outputs=False)
def publish_health_records() -> dict[str, object]:
    from ingest.config import load_config
    from xzh.publishing import publish_health_record_reports

    with _skipped_when_nothing_to_publish():
        return publish_health_record_reports(load_config(), _as_of())


@dag(
    dag_id="xzh_reports",
    schedule=CronTriggerTimetable("0 6 5 * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["xzh", "reports", "child-vision", "health-records"],
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
    # independent: one chain's failure does not hold back the other's publication
    publish_child_vision()
    publish_health_records()


xzh_reports()
