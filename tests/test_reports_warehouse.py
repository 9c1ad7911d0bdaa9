"""Reading the warehouse: read-only, with errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reports.warehouse import WarehouseError, load_identity, load_vision_data
from tests.report_fixtures import build_fixture_warehouse, fixture_warehouse_path


def test_loads_every_table(tmp_path: Path) -> None:
    data = load_vision_data(fixture_warehouse_path(tmp_path))
    assert len(data.results) == 104
    assert set(data.registry["indicator_code"]) >= {"VIS_COV", "VIS_FOLLOWUP"}
    assert "id_number" not in data.interventions.columns


def test_missing_file_says_build_first(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="xzh build"):
        load_vision_data(tmp_path / "nope.duckdb")


def test_missing_table_is_named(tmp_path: Path) -> None:
    path = build_fixture_warehouse(
        tmp_path / "w.duckdb", skip=("worklists.wl_vision_remonitoring",)
    ).path
    with pytest.raises(WarehouseError, match=r"worklists\.wl_vision_remonitoring.*xzh build"):
        load_vision_data(path)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = fixture_warehouse_path(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("alter table indicators.indicator_results drop column target_met")
    con.close()
    with pytest.raises(WarehouseError, match="indicator_results lacks column.*target_met"):
        load_vision_data(path)


def test_locked_by_a_writer(tmp_path: Path) -> None:
    path = fixture_warehouse_path(tmp_path)
    # a writer in another process holds the lock (DuckDB locks per process)
    import subprocess
    import sys

    writer = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); "
         "print('locked', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseError, match="locked by a writer.*xzh build"):
            load_vision_data(path)
    finally:
        writer.kill()
        writer.wait()


def test_identity_only_for_the_asked_persons(tmp_path: Path) -> None:
    identity = load_identity(fixture_warehouse_path(tmp_path), ["pk01", "pk02", "nobody"])
    assert sorted(identity["person_key"]) == ["pk01", "pk02"]
    assert identity.set_index("person_key").loc["pk02", "id_number"] == "32030220190515002X"
