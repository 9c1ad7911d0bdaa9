"""dbt staging on the ingested demo city, judged against the generator's truth and the gate."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from stdnum.cn import ric

from ingest.contract import FEEDS
from tests.test_dbt_staging import STAGING

ID_DEFECTS = ("id_bad_check", "id_15_digit", "id_full_width", "id_lower_x", "id_spaces")


@pytest.fixture(scope="module")
def warehouse(built_demo):
    con = duckdb.connect(str(built_demo.config.warehouse), read_only=True)
    yield con
    con.close()


def test_staging_holds_every_loaded_row_and_flags_what_the_gate_counted(
    built_demo, warehouse
) -> None:
    ledger = built_demo.ledger()
    loaded = ledger[ledger.status == "loaded"].set_index("batch_id")
    for feed, model in STAGING.items():
        staged = (
            warehouse.sql(
                f"select _batch_id, count(*) as n, count(*) filter (where not is_usable) as bad"
                f" from staging.{model} group by all"
            )
            .df()
            .set_index("_batch_id")
        )
        mine = loaded[loaded.feed == feed]
        assert set(staged.index) == set(mine.index), feed
        assert (staged.n == mine.rows_loaded.reindex(staged.index)).all(), feed
        # the gate's error-severity count and staging's unusable rows are the same rows' count
        assert (staged.bad == mine.rows_flagged.reindex(staged.index)).all(), feed


def _valid(text: str) -> bool:
    """GB 11643 by stdnum's check arithmetic; the area code is not checked (edge rule 8)."""
    if len(text) != 18 or not text[:17].isdigit() or text[17] != ric.calc_check_digit(text):
        return False
    try:
        dt.datetime.strptime(text[6:14], "%Y%m%d")
    except ValueError:
        return False
    return True


def _header_to_name(feed: str) -> dict[str, str]:
    return {c.header: c.name for c in FEEDS[feed].columns}


def test_delivered_id_forms_are_normalized_or_flagged_with_the_right_reason(
    built_demo, warehouse
) -> None:
    truth = built_demo.city
    files = truth.truth("deliveries")[["file_id", "path", "feed", "data_rows", "malformed_rows"]]
    defects = truth.truth("row_defects")
    defects = defects[defects.kind.isin(ID_DEFECTS)].merge(files, on="file_id")
    # a truncated file's broken last line is malformed, never loaded (edge rule 2)
    defects = defects[~((defects.malformed_rows > 0) & (defects.row == defects.data_rows))]
    ledger = built_demo.ledger()
    loaded_paths = set(ledger.loc[ledger.status == "loaded", "file_path"])
    defects = defects[defects.path.isin(loaded_paths)]
    assert set(defects.kind) == set(ID_DEFECTS)
    checked = 0
    for feed, group in defects.groupby("feed"):
        names = _header_to_name(feed)
        group = group.assign(name=group.column.map(names))
        rows = warehouse.sql(
            f"select _file_path, _row_number, reason_codes, {', '.join(sorted(set(group.name)))}"
            f" from staging.{STAGING[feed]}"
        ).df()
        merged = group.merge(
            rows, left_on=["path", "row"], right_on=["_file_path", "_row_number"], how="left"
        )
        assert merged._file_path.notna().all(), feed
        for r in merged.itertuples():
            normalized = getattr(r, r.name)
            reasons = r.reason_codes if isinstance(r.reason_codes, str) else ""
            # independent reading: stdnum on the delivered text after the contract's folding
            text = r.delivered.strip(" \u3000").translate(
                str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX")
            )
            if len(text) == 15 and text.isdigit():
                body = text[:6] + "19" + text[6:]
                text = body + ric.calc_check_digit(body + "?")  # stdnum skips the last char
            valid = _valid(text)
            if r.kind == "id_bad_check":
                assert not valid
                assert f"bad_id:{r.name}" in reasons and pd.isna(normalized), (feed, r)
            else:
                assert valid, (feed, r.delivered)
                assert normalized == text and f"bad_id:{r.name}" not in reasons, (feed, r)
            checked += 1
    assert checked > 1000
