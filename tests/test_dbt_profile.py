"""The dbt profile survives a build that spills to disk.

dbt-duckdb runs ``SET`` for every entry of ``settings`` on each new cursor, and DuckDB
refuses to set ``temp_directory`` again once a query has spilled there: at scale 1 every
model after the first spill failed. So the spill folder and the memory cap are set once,
when the database opens (``config_options``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

PROFILE = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"
ONCE_ONLY = {"temp_directory", "memory_limit"}


def _dev_output() -> dict:
    return yaml.safe_load(PROFILE.read_text())["xzh_platform"]["outputs"]["dev"]


def test_spill_settings_are_set_once_when_the_database_opens() -> None:
    output = _dev_output()
    per_cursor = set(output.get("settings") or {})
    assert not per_cursor & ONCE_ONLY, f"set per cursor: {sorted(per_cursor & ONCE_ONLY)}"
    assert set(output["config_options"]) >= ONCE_ONLY


def test_duckdb_refuses_a_second_temp_directory_set_after_a_spill(tmp_path: Path) -> None:
    """Why the above: what dbt-duckdb's per-cursor ``settings`` would do after a spill."""
    spill = tmp_path / "spill"
    con = duckdb.connect(
        str(tmp_path / "w.duckdb"),
        config={"memory_limit": "64MB", "temp_directory": str(spill), "threads": "1"},
    )
    con.execute(
        "create table t as select range as i, md5(range::varchar) as h "
        "from range(3000000) order by h"
    )
    cursor = con.cursor()  # a sort of 3 M rows under 64 MB has spilled into ``spill``
    with pytest.raises(duckdb.NotImplementedException, match="temporary directory"):
        cursor.execute(f"SET temp_directory = '{spill}'")
    cursor.execute("SET memory_limit = '64MB'")  # the cap alone could be re-set
