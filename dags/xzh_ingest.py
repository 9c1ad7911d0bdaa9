"""
### xzh_ingest: deliveries → landing → Great Expectations gate → raw zone / quarantine

Pulls every new file from the inbox (a local folder or any fsspec URL: see
`ingest/config.py`; set `XZH_INBOX`, `XZH_DATA`), one mapped task per feed.
Reference feeds (`institution`, `team`) go first because the sender registry
comes from them (edge rule 7). Each task is idempotent: files already in the
load ledger are skipped, batch names derive from the file's sha256, so a
rerun, a retry or a backfill changes nothing.

Files outside every feed folder are ledgered as rejected (`reject_stray_files`).
When any batch reached the raw zone (or was superseded), the last task
updates the `xzh_raw_zone` asset, which schedules `xzh_warehouse`.
Its log holds the ledger summary; `xzh ledger` prints the same.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from ingest.contract import DATA_FEEDS, REFERENCE_FEEDS
from xzh.assets import RAW_ZONE


@task(retries=2, retry_delay=pendulum.duration(minutes=2), multiple_outputs=False)
def ingest_feed(feed: str) -> dict[str, object]:
    from ingest.config import load_config
    from ingest.pipeline import ingest_feed as run_feed

    report = run_feed(feed, load_config())
    return {"feed": report.feed, "new_files": report.new_files, "statuses": report.statuses}


@task(retries=2)
def reject_stray_files() -> int:
    from ingest.config import load_config
    from ingest.pipeline import reject_strays

    return reject_strays(load_config()).new_files


@task(outlets=[RAW_ZONE], retries=2, multiple_outputs=False)
def publish_raw_zone(reference: list[dict], data: list[dict]) -> dict[str, int]:
    from airflow.sdk.exceptions import AirflowSkipException

    from ingest.config import load_config
    from xzh.pipeline_report import log_ledger_summary, summarize_run

    changed = summarize_run([*reference, *data])
    log_ledger_summary(load_config().data_root)
    if not changed:
        raise AirflowSkipException(
            "no batch reached or left the raw zone; the warehouse is current"
        )
    return changed


@dag(
    dag_id="xzh_ingest",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["xzh", "ingest", "quality-gate"],
    default_args={"owner": "data-platform", "retries": 2},
    doc_md=__doc__,
)
def xzh_ingest() -> None:
    reference = ingest_feed.override(task_id="ingest_reference_feed").expand(
        feed=list(REFERENCE_FEEDS)
    )
    data = ingest_feed.override(task_id="ingest_data_feed").expand(feed=list(DATA_FEEDS))
    reference >> data
    publish_raw_zone(reference, data)
    reject_stray_files()


xzh_ingest()
