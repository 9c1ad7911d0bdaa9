"""`dbt docs generate` works on the built demo warehouse, the indicator models carry their
definitions, and the reports are declared as exposures of the marts they read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "dbt_project" / "seeds" / "indicators" / "indicator_registry.csv"


@pytest.fixture(scope="module")
def docs(built_demo, tmp_path_factory) -> dict[str, dict]:
    import shutil

    from tests.test_dbt_support import run_dbt

    # dbt takes the warehouse's write lock even for docs: work on a copy, so the other
    # tests can keep reading the shared demo warehouse meanwhile
    work = tmp_path_factory.mktemp("docs")
    shutil.copy(built_demo.data_root / "warehouse.duckdb", work / "warehouse.duckdb")
    result = run_dbt(["docs", "generate"], built_demo.data_root, work)
    assert result.returncode == 0, result.stdout[-3000:]
    target = work / "target"
    assert (target / "index.html").exists()
    return {
        "manifest": json.loads((target / "manifest.json").read_text(encoding="utf-8")),
        "catalog": json.loads((target / "catalog.json").read_text(encoding="utf-8")),
    }


def registry() -> list[dict[str, str]]:
    with REGISTRY.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_indicator_model_states_its_grain_and_definition(docs) -> None:
    nodes = docs["manifest"]["nodes"]
    for row in registry():
        model = nodes[f"model.xzh_platform.ind_{row['indicator_code'].lower()}"]
        description = model["description"]
        assert row["indicator_code"] in description, row["indicator_code"]
        assert row["name_zh"] in description, row["indicator_code"]
        assert "one row per" in description.lower(), model["name"]  # the grain
        # the numbers a statistician checks are documented column by column
        assert {"numerator", "denominator"} <= set(model["columns"]), model["name"]
    results = nodes["model.xzh_platform.indicator_results"]
    assert results["config"]["contract"]["enforced"] is True
    for row in registry():
        # the published table's page shows every definition (vision ones through doc blocks)
        if row["chain"] == "vision":
            assert row["name_zh"] in results["description"], row["indicator_code"]


def test_the_catalog_holds_the_published_tables_and_no_clear_id_column(docs) -> None:
    tables = docs["catalog"]["nodes"]
    results = tables["model.xzh_platform.indicator_results"]
    assert {"numerator", "denominator", "rate", "target", "period_basis"} <= {
        name.lower() for name in results["columns"]
    }
    for unique_id, table in tables.items():
        schema = table["metadata"]["schema"]
        if schema in {"staging", "identity"}:
            continue  # the restricted layers (docs/vision-chain.md)
        columns = {name.lower() for name in table["columns"]}
        assert not columns & {"id_number", "name", "child_name", "child_id_number"}, unique_id


def test_the_reports_are_exposures_of_the_marts_they_read(docs) -> None:
    exposures = docs["manifest"]["exposures"]
    report = exposures["exposure.xzh_platform.child_vision_report"]
    assert "model.xzh_platform.indicator_results" in report["depends_on"]["nodes"]
    assert "model.xzh_platform.wl_vision_interventions" in report["depends_on"]["nodes"]
    # only the teams' worklists may read the restricted identity store
    readers_of_identity = {
        exposure["name"]
        for exposure in exposures.values()
        if "model.xzh_platform.identity_persons" in exposure["depends_on"]["nodes"]
    }
    assert readers_of_identity == {"vision_intervention_worklists", "health_record_worklists"}
