"""The dbt project follows ingest/contract.py: the generated contract macro and reason-code
seed are up to date, code seeds hold the contract's code sets, and every source documents
every contract column with its Chinese header. Files only: no dbt run."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
import yaml

from ingest.contract import FEEDS, LINEAGE, row_rules

PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"


def _renderer():  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location(
        "render_contract", PROJECT / "scripts" / "render_contract.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_contract_macro_is_up_to_date() -> None:
    renderer = _renderer()
    assert renderer.TARGET.read_text(encoding="utf-8") == renderer.render(), (
        "ingest/contract.py changed: run .venv/bin/python dbt_project/scripts/render_contract.py"
    )


def test_reason_seed_is_up_to_date() -> None:
    renderer = _renderer()
    assert renderer.REASON_SEED.read_text(encoding="utf-8") == renderer.render_reason_seed(), (
        "ingest/contract.py changed: run .venv/bin/python dbt_project/scripts/render_contract.py"
    )
    codes = {(r["feed"], r["code"]) for r in _seed("code_row_reason")}
    assert codes == {(f.name, r.code) for f in FEEDS.values() for r in row_rules(f)}


def _seed(name: str) -> list[dict[str, str]]:
    with open(PROJECT / "seeds" / "codes" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# code column -> seed; sex and 视力记录方式 are stored mapped (男 -> 1, 5分 -> 1, ...)
CODE_SEEDS = {
    "institution_category": "code_institution_category",
    "active_flag": "code_active_flag",
    "resident_flag": "code_resident_flag",
    "check_stage": "code_check_stage",
    "result_code": "code_eye_check_result",
    "action_code": "code_eye_check_action",
    "record_status": "code_record_status",
    "service_type": "code_service_type",
    "contract_status": "code_contract_status",
    "reason_code": "code_transfer_reason",
    "status_code": "code_transfer_status",
    "escalated_flag": "code_escalated_flag",
}
MAPPED = {
    "sex_code": ("code_sex", {"1", "2", "0", "9"}),
    "va_notation": ("code_va_notation", {"1", "2"}),
}


@pytest.mark.parametrize(
    ("feed", "column"),
    [(f.name, c.name) for f in FEEDS.values() for c in f.columns if c.kind == "code"],
)
def test_every_code_set_has_a_seed_with_chinese_labels(feed: str, column: str) -> None:
    if column in MAPPED:
        seed, codes = MAPPED[column]
    else:
        seed, codes = CODE_SEEDS[column], set(FEEDS[feed].column(column).codes)
    rows = _seed(seed)
    assert {r["code"] for r in rows} == codes
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["label"]) for r in rows)


@pytest.mark.parametrize("feed", list(FEEDS))
def test_sources_document_every_column(feed: str) -> None:
    spec = yaml.safe_load(
        (PROJECT / "models" / "staging" / feed / f"_{feed}__sources.yml").read_text("utf-8")
    )
    (source,) = spec["sources"]
    (table,) = source["tables"]
    assert table["name"] == feed
    assert "raw/{name}/" in source["meta"]["external_location"]
    assert FEEDS[feed].title in table["description"]
    described = {c["name"]: c["description"] for c in table["columns"]}
    assert list(described) == [*LINEAGE, *FEEDS[feed].names, "_extra"]
    for column in FEEDS[feed].columns:
        assert described[column.name].startswith(column.header), column.name


@pytest.mark.parametrize("feed", list(FEEDS))
def test_one_staging_model_per_feed(feed: str) -> None:
    models = list((PROJECT / "models" / "staging" / feed).glob("stg_*.sql"))
    assert len(models) == 1 and models[0].name.startswith(f"stg_{feed}__")
    sql = models[0].read_text("utf-8")
    assert f"source('raw', '{feed}')" in sql
    assert f"row_reasons('{feed}')" in sql
