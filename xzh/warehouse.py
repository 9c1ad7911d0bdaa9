"""Running dbt: the only writer of ``warehouse.duckdb`` (design.md, single writer)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ingest.config import REPO_ROOT, PlatformConfig

DBT_PROJECT = REPO_ROOT / "dbt_project"


def dbt_environment(config: PlatformConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "XZH_DATA": str(config.data_root),
            "XZH_WAREHOUSE": str(config.warehouse),
            "DBT_PROFILES_DIR": str(DBT_PROJECT),
            "DBT_PROJECT_DIR": str(DBT_PROJECT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_LOG_PATH": str(config.data_root / "dbt-logs"),
            "DBT_TARGET_PATH": str(config.data_root / "dbt-target"),
        }
    )
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(config: PlatformConfig, *args: str) -> None:
    """``dbt <args>`` on this configuration's zones; raises with dbt's own output on failure."""
    config.warehouse.parent.mkdir(parents=True, exist_ok=True)
    command = [dbt_executable(), *args]
    result = subprocess.run(command, env=dbt_environment(config), cwd=DBT_PROJECT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {result.returncode}")


def build(config: PlatformConfig, select: str | None = None) -> None:
    """Seeds, models and data tests. Unit tests (hand-built rows, run in CI by pytest and by
    `dbt test --select test_type:unit`) are left out, as dbt advises for production."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if select:
        # a test of a selected model that also reads an unselected one (a relationships test
        # from a quality model, say) runs only when that model is upstream of the selection:
        # dbt's default would run it against a table this build never made, and fail
        args += ["--select", select, "--indirect-selection", "buildable"]
    run_dbt(config, *args)
