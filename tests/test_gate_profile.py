"""Batch profiles: rule counts, first bad rows and repeated keys per landing batch, counted
by hand; many small files and one file give the same answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.profile import MANY_FILES, profile_batches, profile_table
from expectations.testing import landing_table, make_id, write_landing

KID = make_id("320302", dt.date(2021, 5, 6), 11)  # 男, born 2021-05-06


def eye_columns(n: int) -> dict[str, list[str | None]]:
    return {
        "check_no": [f"A{i}" for i in range(1, n + 1)],
        "child_id_number": [KID] * n,
        "sex_code": ["1"] * n,
        "birth_date": ["2021-05-06"] * n,
        "check_date": ["2026-03-15"] * n,
        "result_code": ["1"] * n,
        "action_code": ["0"] * n,
        "updated_at": ["2026-03-15 10:00:00"] * n,
    }


def test_counts_first_rows_and_warnings(tmp_path: Path) -> None:
    cols = eye_columns(12)
    # rows 2, 5, 7, 11: a code outside its set (error)
    for r in (2, 5, 7, 11):
        cols["result_code"][r - 1] = "3"
    cols["check_date"][4] = "2026-02-30"  # row 5 breaks a second error rule
    cols["child_id_number"][8] = KID[:-1] + "0"  # row 9: optional ID unreadable (warning)
    cols["sex_code"][9] = "2"  # row 10: sex disagrees with the ID (warning)
    cols["sex_code"][10] = "女"  # row 11: a warning on a row that has an error
    path = write_landing(tmp_path / "a.parquet", landing_table("eye_check", cols, batch="b1"))
    p = profile_batches("eye_check", [path]).iloc[0]
    assert p["batch_id"] == "b1"
    assert p["data_rows"] == 12
    assert p["bad_code:result_code"] == 4
    assert p["first_rows:bad_code:result_code"] == [2, 5, 7]
    assert p["bad_date:check_date"] == 1
    assert p["first_rows:bad_date:check_date"] == [5]
    assert p["bad_id:child_id_number"] == 1
    assert p["id_sex_mismatch:child_id_number"] == 2
    assert p["first_rows:id_sex_mismatch:child_id_number"] == [10, 11]
    assert p["rows_flagged"] == 4  # rows 2, 5, 7, 11
    assert p["first_flagged_rows"] == [2, 5, 7]
    assert p["rows_warned"] == 2  # rows 9, 10 (row 11 is flagged)
    assert p["missing:check_no"] == 0
    assert p["first_rows:missing:check_no"] == []
    assert p["duplicate_key_rows"] == 0


def test_repeated_key_and_version_in_one_batch(tmp_path: Path) -> None:
    cols = eye_columns(8)
    cols["check_no"][3] = "A1"  # row 4 repeats row 1's key, same time in another form
    cols["updated_at"][3] = "2026/03/15 10:00"
    cols["check_no"][5] = "A1"  # row 6: same key, a later version: no repeat
    cols["updated_at"][5] = "2026-03-15 11:00:00"
    cols["check_no"][6] = "A3"  # row 7 repeats row 3
    cols["check_no"][7] = ""  # row 8: blank key, flagged, not a repeat
    path = write_landing(tmp_path / "a.parquet", landing_table("eye_check", cols))
    p = profile_batches("eye_check", [path]).iloc[0]
    assert p["duplicate_key_rows"] == 4
    assert p["first_duplicate_rows"] == [1, 3, 4]
    assert p["duplicate_key_example"] == "A1"
    assert p["missing:check_no"] == 1


def test_eye_check_key_is_per_sender(tmp_path: Path) -> None:
    a = write_landing(tmp_path / "a.parquet", landing_table("eye_check", eye_columns(3)))
    b = write_landing(
        tmp_path / "b.parquet",
        landing_table("eye_check", eye_columns(3), sender="12320300MB7654321X"),
    )
    profiles = profile_batches("eye_check", [a, b])
    assert profiles["duplicate_key_rows"].tolist() == [0, 0]


def test_roster_key_is_school_and_normalized_id(tmp_path: Path) -> None:
    child = make_id("320311", dt.date(2020, 1, 2), 24)
    cols: dict[str, list[str | None]] = {
        "kindergarten_code": ["1132000001", "1132000001", "1132000002", "1132000001"],
        "kindergarten_name": ["一园"] * 4,
        "street_code": ["320311001"] * 4,
        "child_id_number": [
            child,
            " " + child.translate(str.maketrans("0123", "０１２３")),
            child,
            child[:-1] + "0",
        ],
        "child_name": ["甲"] * 4,
        "sex_code": ["2"] * 4,
        "birth_date": ["2020-01-02"] * 4,
    }
    path = write_landing(tmp_path / "k.parquet", landing_table("kg_roster", cols))
    p = profile_batches("kg_roster", [path]).iloc[0]
    assert p["duplicate_key_rows"] == 2  # rows 1 and 2: same school, same child
    assert p["first_duplicate_rows"] == [1, 2]
    assert p["duplicate_key_example"] == "1132000001"  # never the ID
    assert p["bad_id:child_id_number"] == 1  # row 4
    assert p["rows_flagged"] == 1


def test_many_files_and_empty_files_in_input_order(tmp_path: Path) -> None:
    paths = []
    expected = []
    for i in range(MANY_FILES + 6):
        n = i % 4  # 0 rows every fourth file
        cols = eye_columns(n)
        if n >= 2:
            cols["action_code"][1] = "7"  # row 2 broken
        table = landing_table("eye_check", cols, batch=f"b{i}")
        paths.append(write_landing(tmp_path / f"f{i:03d}.parquet", table))
        expected.append((f"b{i}" if n else None, n, 1 if n >= 2 else 0))
    many = profile_batches("eye_check", list(reversed(paths)))
    got = list(zip(many["batch_id"], many["data_rows"], many["rows_flagged"], strict=True))
    assert got == list(reversed(expected))
    few = profile_batches("eye_check", paths[:8])  # the streaming path
    columns = [c for c in few.columns if c != "landing_path"]
    pa_few = few[columns].to_dict("records")
    pa_many = many.iloc[::-1].iloc[:8][columns].to_dict("records")
    assert pa_few == pa_many


def test_a_column_absent_from_the_file_reads_as_null(tmp_path: Path) -> None:
    table = landing_table("team", {"team_code": ["T1", "T2"], "team_name": ["甲", "乙"]})
    table = table.drop_columns(["active_flag", "institution_code"])
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    p = profile_batches("team", [path]).iloc[0]
    assert p["missing:active_flag"] == 2
    assert p["missing:institution_code"] == 2
    assert p["rows_flagged"] == 2


def test_a_file_with_two_batches_is_refused(tmp_path: Path) -> None:
    a = landing_table("team", {"team_code": ["T1"]}, batch="x")
    b = landing_table("team", {"team_code": ["T2"]}, batch="y")
    path = tmp_path / "t.parquet"
    pq.write_table(pa.concat_tables([a, b]), path)
    with pytest.raises(ValueError, match="one batch"):
        profile_batches("team", [path])


def test_missing_landing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        profile_batches("team", [tmp_path / "nowhere.parquet"])


def test_a_batch_in_memory_profiles_as_its_parquet_file(tmp_path: Path) -> None:
    """Ingest profiles large files from the parsed table (no re-read): same answers."""
    cols = eye_columns(40)
    for r in (2, 5, 7, 11, 30):
        cols["result_code"][r - 1] = "3"
    cols["check_date"][4] = "2026-02-30"
    cols["child_id_number"][8] = KID[:-1] + "0"
    cols["sex_code"][9] = "2"
    cols["check_no"][20] = "A1"  # repeats row 1's key and version
    cols["check_no"][21] = ""
    table = landing_table("eye_check", cols, batch="b1")
    path = write_landing(tmp_path / "a.parquet", table)
    from_file = profile_batches("eye_check", [path]).iloc[0].to_dict()
    in_memory = profile_table("eye_check", table, path).iloc[0].to_dict()
    assert in_memory == from_file
    assert in_memory["rows_flagged"] == 6  # rows 2, 5, 7, 11, 30 (code), 22 (blank key)
    assert in_memory["first_duplicate_rows"] == [1, 21]
    assert in_memory["rows_warned"] == 2  # rows 9, 10
