"""Publishing a list date again replaces its worklists as a whole: the files of teams no
longer on the list (and the names in them) do not survive a rerun."""

from __future__ import annotations

from pathlib import Path

from reports.publish import publish_vision
from tests.report_fixtures import fixture_warehouse_path


def test_a_rerun_replaces_the_list_dates_folder(tmp_path: Path) -> None:
    warehouse = fixture_warehouse_path(tmp_path)
    out = tmp_path / "out"
    first = publish_vision(warehouse, out)
    assert first.list_date is not None and first.worklists
    folder = out / "worklists" / first.list_date.isoformat()
    stale = folder / "32039900000000000X" / "T99.xlsx"  # a team no longer on the list
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old list")

    second = publish_vision(warehouse, out)

    assert not stale.exists()
    assert sorted(second.worklists) == sorted(first.worklists)
    assert all(path.exists() and path.is_relative_to(folder) for path in second.worklists)
    # nothing of the swap is left behind
    assert not [p for p in out.rglob(".*")]
