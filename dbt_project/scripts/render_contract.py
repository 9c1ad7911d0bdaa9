"""Render ingest/contract.py for dbt: the macro ``xzh_contract()`` and the seed
``code_row_reason``.

dbt cannot import Python, so staging reads the contract (kinds, required flags,
code sets, record keys, row rules with their severities) from a generated
macro, and reports label reason codes from a generated seed.
``tests/test_dbt_contract.py`` fails when either is out of date.

    .venv/bin/python dbt_project/scripts/render_contract.py   # rewrite both
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "dbt_project" / "macros" / "contract" / "xzh_contract.sql"
REASON_SEED = ROOT / "dbt_project" / "seeds" / "codes" / "code_row_reason.csv"

RULE_LABELS = {
    "missing": "必填项为空",
    "bad_id": "身份证号无效",
    "bad_date": "日期无法识别",
    "bad_datetime": "时间无法识别",
    "bad_code": "代码不在值域内",
    "bad_va": "视力值无效",
    "id_birth_mismatch": "与身份证号中的出生日期不符",
    "id_sex_mismatch": "与身份证号中的性别不符",
}

HEADER = """\
{#- GENERATED from ingest/contract.py by dbt_project/scripts/render_contract.py: do not edit.
    Regenerate: .venv/bin/python dbt_project/scripts/render_contract.py -#}
"""


def contract_dict() -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from ingest.contract import EXTRA_COLUMN, FEEDS, LINEAGE, LOAD_ORDER, row_rules

    feeds: dict[str, object] = {}
    for name in LOAD_ORDER:
        feed = FEEDS[name]
        feeds[name] = {
            "title": feed.title,
            "mode": feed.mode,
            "key": list(feed.key),
            "snapshot_scope": feed.snapshot_scope,
            "person": list(feed.person) if feed.person else None,
            "columns": [
                {
                    "name": c.name,
                    "header": c.header,
                    "kind": c.kind,
                    "required": c.required,
                    "codes": list(c.codes),
                }
                for c in feed.columns
            ],
            "rules": [
                {"code": r.code, "rule": r.rule, "column": r.column, "severity": r.severity}
                for r in row_rules(feed)
            ],
        }
    return {"lineage": [*LINEAGE, EXTRA_COLUMN], "feeds": feeds}


def _literal(value: object) -> str:
    # JSON literals are Jinja literals once null is spelled none
    return json.dumps(value, ensure_ascii=False).replace("null", "none")


def render() -> str:
    contract = contract_dict()
    lines = ["{", f'  "lineage": {_literal(contract["lineage"])},', '  "feeds": {']
    feeds = contract["feeds"]
    assert isinstance(feeds, dict)
    for name, feed in feeds.items():
        assert isinstance(feed, dict)
        lines.append(f'    "{name}": {{')
        for field, value in feed.items():
            if field in ("columns", "rules"):
                lines.append(f'      "{field}": [')
                lines += [f"        {_literal(item)}," for item in value]
                lines[-1] = lines[-1].rstrip(",")
                lines.append("      ],")
            else:
                lines.append(f'      "{field}": {_literal(value)},')
        lines[-1] = lines[-1].rstrip(",")
        lines.append("    },")
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  }", "}"]
    body = "\n".join(lines)
    return (
        HEADER
        + "{% macro xzh_contract() -%}\n"
        + "{%- set contract = "
        + body
        + " -%}\n{{- return(contract) -}}\n{%- endmacro %}\n"
    )


def render_reason_seed() -> str:
    """One row per feed and row rule: the code staging writes, its severity, a Chinese label."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feed", "code", "rule", "column_name", "header", "severity", "label"])
    feeds = contract_dict()["feeds"]
    assert isinstance(feeds, dict)
    for name, feed in feeds.items():
        headers = {c["name"]: c["header"] for c in feed["columns"]}
        for r in feed["rules"]:
            header = headers[r["column"]]
            writer.writerow(
                [
                    name,
                    r["code"],
                    r["rule"],
                    r["column"],
                    header,
                    r["severity"],
                    f"{header}{RULE_LABELS[r['rule']]}",
                ]
            )
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    REASON_SEED.write_text(render_reason_seed(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} and {REASON_SEED.relative_to(ROOT)}")
