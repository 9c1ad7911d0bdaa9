"""The DAGs: they import cleanly, are shaped as planned, and run end to end under `dags test`."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from stdnum.cn import ric

from ingest.ledger import Ledger

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow_env(home: Path, inbox: Path, data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "XZH_INBOX": str(inbox),
            "XZH_DATA": str(data),
        }
    )
    return env


@pytest.fixture(scope="module")
def dagbag():
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == {"xzh_ingest", "xzh_warehouse", "xzh_reports"}


def test_dags_follow_the_house_rules(dagbag) -> None:
    for dag in dagbag.dags.values():
        assert "xzh" in dag.tags
        assert dag.doc_md and dag.doc_md.strip()
        assert dag.catchup is False
        assert dag.max_active_runs == 1
        for task in dag.tasks:
            assert task.retries >= 2, task.task_id


def test_ingest_runs_reference_feeds_first_and_publishes_the_raw_zone(dagbag) -> None:
    dag = dagbag.dags["xzh_ingest"]
    reference = dag.get_task("ingest_reference_feed")
    data = dag.get_task("ingest_data_feed")
    publish = dag.get_task("publish_raw_zone")
    assert data.task_id in reference.downstream_task_ids
    assert publish.upstream_task_ids == {reference.task_id, data.task_id}
    assert [a.name for a in publish.outlets] == ["xzh_raw_zone"]


def test_warehouse_build_is_scheduled_on_the_raw_zone_in_the_writer_pool(dagbag) -> None:
    dag = dagbag.dags["xzh_warehouse"]
    build = dag.get_task("dbt_build")
    assert build.pool == "xzh_warehouse_writer"
    assert [a.name for a in build.outlets] == ["xzh_warehouse"]
    assets = dag.timetable.asset_condition.objects
    assert [a.name for a in assets] == ["xzh_raw_zone"]


def test_reports_publish_monthly_as_readers_of_the_warehouse(dagbag) -> None:
    from xzh.publishing import previous_month_end

    dag = dagbag.dags["xzh_reports"]
    publish = dag.get_task("publish_child_vision")
    # a reader of warehouse.duckdb waits for the writer's slot instead of failing on the lock
    assert publish.pool == "xzh_warehouse_writer"
    assert dag.timetable.summary == "0 6 5 * *"
    assert "as_of" in dag.params
    # the October run publishes as of 30 September: the statistical year's annual report
    assert previous_month_end(dt.date(2026, 10, 5)) == dt.date(2026, 9, 30)
    assert previous_month_end(dt.date(2026, 3, 5)) == dt.date(2026, 2, 28)
    assert previous_month_end(dt.date(2026, 1, 5)) == dt.date(2025, 12, 31)


ID_LIKE = re.compile(rb"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def ids_in_files(paths: list[Path]) -> list[tuple[str, str]]:
    """Valid GB 11643 numbers written in these files."""
    found = []
    for path in paths:
        for match in ID_LIKE.findall(path.read_bytes()):
            text = match.decode().upper()
            if ric.calc_check_digit(text) == text[17]:
                found.append((str(path), text[:6] + "…"))
    return found


def ids_in_logs(folders: list[Path]) -> list[tuple[str, str]]:
    """Valid GB 11643 numbers written anywhere in these folders (logs must hold none)."""
    return ids_in_files(
        [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    )


def zone_listing(data: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(data)), p.stat().st_size)
        for zone in ("raw", "quarantine", "superseded")
        for p in (data / zone).rglob("*")
        if p.is_file()
    )


def dag_test(env: dict[str, str], dag_id: str) -> list[str]:
    """``airflow dags test``; returns the states of the DAG's runs so far."""
    result = subprocess.run(
        [AIRFLOW, "dags", "test", dag_id], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    runs = subprocess.run(
        [AIRFLOW, "dags", "list-runs", dag_id, "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    listing = runs.stdout.strip().splitlines()[-1]  # the JSON comes after any log lines
    return [run["state"] for run in json.loads(listing)]


def test_airflow_dags_test_runs_both_dags_and_a_rerun_changes_nothing(demo_city, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    for part in ("institution", "team", "population/202510", "eye_check/202510", "birth/202510"):
        shutil.copytree(demo_city.inbox / part, inbox / part)
    data = tmp_path / "data"
    env = airflow_env(tmp_path / "airflow", inbox, data)
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    assert dag_test(env, "xzh_ingest") == ["success"]
    assert dag_test(env, "xzh_warehouse") == ["success"]
    ledger = Ledger(data / "ledger").read()
    assert set(ledger.feed) == {"institution", "team", "population", "eye_check", "birth"}
    assert (data / "warehouse.duckdb").exists()

    # the report DAG publishes what one month of deliveries allows
    assert dag_test(env, "xzh_reports") == ["success"]
    published = sorted(p.name for p in (data / "reports" / "reports").glob("*.html"))
    assert published and published[0].startswith("vision_report_2026_"), published
    assert list((data / "reports" / "exports").glob("indicator_results_*.csv"))
    for page in (data / "reports" / "reports").glob("*.html"):
        assert "徐州市" in page.read_text(encoding="utf-8")

    leaks = ids_in_logs([tmp_path / "airflow" / "logs", data / "dbt-logs", data / "ledger"])
    assert leaks == [], leaks[:3]
    # reports and exports for officials and statisticians: never a clear ID (XLSX worklists
    # for the teams are the one allowed exception, and are not scanned)
    shared = [p for p in (data / "reports").rglob("*") if p.suffix in {".html", ".csv", ".pdf"}]
    assert shared and ids_in_files(shared) == []

    zones = zone_listing(data)
    assert dag_test(env, "xzh_ingest") == ["success", "success"]
    assert zone_listing(data) == zones
    pd.testing.assert_frame_equal(Ledger(data / "ledger").read(), ledger)
