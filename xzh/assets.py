"""The Airflow Assets that chain the DAGs: ingest produces the raw zone, dbt the warehouse."""

from __future__ import annotations

from airflow.sdk import Asset

RAW_ZONE = Asset(name="xzh_raw_zone", uri="file:///xzh/raw")
WAREHOUSE = Asset(name="xzh_warehouse", uri="file:///xzh/warehouse.duckdb")

# dbt is the only writer of warehouse.duckdb: every task that writes it takes this pool's one slot
WAREHOUSE_WRITER_POOL = "xzh_warehouse_writer"
