"""
### xzh_warehouse: `dbt build` on the raw zone, the only writer of warehouse.duckdb

Scheduled on the `xzh_raw_zone` asset (updated by `xzh_ingest` when new
batches land). One `dbt build` task, in the one-slot pool
`xzh_warehouse_writer`, because DuckDB allows a single writer and dbt does
not wait for the lock. (astronomer-cosmos renders one task per model; it
measured 3–5× slower here and its parallel tasks collide on the lock: see
design.md.) Statisticians run the same build with `xzh build` or `dbt build`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from xzh.assets import RAW_ZONE, WAREHOUSE, WAREHOUSE_WRITER_POOL


@task(pool=WAREHOUSE_WRITER_POOL, outlets=[WAREHOUSE], retries=2)
def dbt_build() -> None:
    from ingest.config import load_config
    from xzh.warehouse import build

    build(load_config())


@dag(
    dag_id="xzh_warehouse",
    schedule=[RAW_ZONE],
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["xzh", "dbt", "warehouse"],
    default_args={"owner": "data-platform", "retries": 2},
    doc_md=__doc__,
)
def xzh_warehouse() -> None:
    dbt_build()


xzh_warehouse()
