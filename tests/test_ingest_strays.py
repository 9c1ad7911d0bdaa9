"""Files that are not deliveries of any feed are rejected by name, with the reason, once."""

from __future__ import annotations

import shutil

from ingest.config import load_config
from ingest.ledger import Ledger
from ingest.pipeline import UNKNOWN_FEED, ingest_all
from xzh.summary import ledger_summary


def test_files_outside_feed_folders_are_rejected_with_their_reason(demo_city, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(demo_city.inbox / "institution", inbox / "institution")
    (inbox / "births").mkdir()
    (inbox / "births" / "births_12320302023WGP2U6C_20260101.csv").write_text("出生证编号\n1\n")
    (inbox / "说明.txt").write_text("请把文件放到对应目录")
    wrong = inbox / "team" / "eye_check_12320302023WGP2U6C_20260101.csv"
    wrong.parent.mkdir()
    wrong.write_text("检查记录号\n1\n")
    config = load_config(str(inbox), tmp_path / "data")

    ingest_all(config)
    ledger = Ledger(config.data_root / "ledger").read()
    strays = ledger[ledger.feed == UNKNOWN_FEED].set_index("file_path")
    assert set(strays.index) == {"births/births_12320302023WGP2U6C_20260101.csv", "说明.txt"}
    assert (strays.status == "rejected").all()
    assert (
        "unknown feed folder 'births'"
        in strays.loc["births/births_12320302023WGP2U6C_20260101.csv", "message"]
    )
    assert "not inside a feed folder" in strays.loc["说明.txt", "message"]
    misplaced = ledger.set_index("file_path").loc["team/eye_check_12320302023WGP2U6C_20260101.csv"]
    assert misplaced.status == "rejected" and "does not match folder 'team'" in misplaced.message
    assert ledger_summary(ledger).loc[UNKNOWN_FEED, "files_rejected"] == 2

    reports = ingest_all(config)  # a rerun finds nothing new, strays included
    assert [r.new_files for r in reports] == [0] * len(reports)
    assert len(Ledger(config.data_root / "ledger").read()) == len(ledger)
