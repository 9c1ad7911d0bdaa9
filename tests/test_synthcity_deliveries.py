"""The generated inbox follows the extract contract, except where the truth records a defect."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import City
from tests.delivery_reader import (
    CODE_SETS,
    DATE_COLUMNS,
    ID_COLUMNS,
    INSTITUTION_COLUMNS,
    REQUIRED,
    SEX_CODES,
    STREET_COLUMNS,
    UPDATE_TIME,
    is_date,
    is_institution_code,
    is_street_code,
    normalize_id,
    parse_name,
    read,
    va_ok,
)

ID_FORMS = {"id_15_digit", "id_full_width", "id_spaces", "id_lower_x"}
ID_BROKEN = {"id_bad_check", "id_bad_check_batch"}


@pytest.fixture(scope="module")
def files(demo_city: City) -> pd.DataFrame:
    return demo_city.truth("deliveries")


@pytest.fixture(scope="module")
def defects_by_file(demo_city: City) -> dict[int, dict[tuple[int, str], str]]:
    out: dict[int, dict[tuple[int, str], str]] = defaultdict(dict)
    for f, r, c, k in demo_city.truth("row_defects")[
        ["file_id", "row", "column", "kind"]
    ].itertuples(index=False):
        out[int(f)][(int(r), c)] = k
    return out


def test_inbox_holds_exactly_the_files_of_the_truth(demo_city: City, files: pd.DataFrame) -> None:
    on_disk = {
        p.relative_to(demo_city.inbox).as_posix() for p in demo_city.inbox.rglob("*") if p.is_file()
    }
    assert on_disk == set(files["path"])
    assert files["file_id"].is_unique


def test_every_feed_is_delivered(files: pd.DataFrame) -> None:
    assert set(REQUIRED) <= set(files["feed"])


def test_file_names_senders_and_headers(demo_city: City, files: pd.DataFrame) -> None:
    registry = set(demo_city.truth("institutions")["institution_code"])
    for f in files.itertuples():
        path = demo_city.inbox / f.path
        name = parse_name(path.name)
        if f.defect == "bad_file_name":
            assert name is None, f.path
            continue
        assert name is not None, f.path
        assert name["feed"] == f.feed == Path(f.path).parts[0]
        assert name["inst"] == f.sender and is_institution_code(f.sender), f.path
        assert (name["inst"] in registry) == (f.defect != "unknown_institution"), f.path
        assert int(name["seq"] or 1) == f.seq and (f.seq == 2) == (f.defect == "correction")
        delivery = read(path, REQUIRED[f.feed])
        missing = [h for h in REQUIRED[f.feed] if h not in delivery.header]
        if f.defect == "missing_required_column":
            assert missing == [f.defect_detail.split(";")[0]], f.path
        else:
            assert missing == [], f.path
        assert len(delivery.rows) == f.data_rows, f.path
        assert (f.data_rows == 0) == (f.defect == "empty"), f.path
        if f.format == "csv":
            assert delivery.encoding == f.encoding, f.path
            widths = {len(r) for r in delivery.rows[:-1]}
            assert widths <= {len(delivery.header)}, f.path
            if delivery.rows:
                last_complete = len(delivery.rows[-1]) == len(delivery.header)
                assert last_complete != (f.defect == "truncated"), f.path


def test_duplicates_are_byte_copies_and_the_only_ones(demo_city: City, files: pd.DataFrame) -> None:
    by_hash = files.groupby("sha256")["file_id"].apply(list)
    duplicated = {tuple(sorted(ids)) for ids in by_hash if len(ids) > 1}
    copies = files[files["duplicate_of"] >= 0]
    groups: dict[int, set[int]] = defaultdict(set)
    for d in copies.itertuples():
        groups[int(d.duplicate_of)] |= {int(d.file_id), int(d.duplicate_of)}
    recorded = {tuple(sorted(ids)) for ids in groups.values()}
    assert duplicated == recorded
    assert (copies["expected"] == "duplicate").all()
    assert (files.loc[files["defect"] == "duplicate", "duplicate_of"] >= 0).all()
    for d in files[files["defect"] == "duplicate"].itertuples():
        data = (demo_city.inbox / d.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == d.sha256


def _check_values(
    feed: str,
    header: list[str],
    rows: list[list[str]],
    defects: dict[tuple[int, str], str],
    where: str,
) -> None:
    for i, row in enumerate(rows, start=1):
        if len(row) != len(header):
            continue  # the truncated last line
        values = dict(zip(header, row, strict=True))
        for column, value in values.items():
            kind = defects.get((i, column))
            if column in ID_COLUMNS and value:
                canonical = len(value) == 18 and normalize_id(value) == value
                if kind in ID_BROKEN:
                    assert normalize_id(value) is None, (where, i, column, value)
                elif kind in ID_FORMS:
                    assert not canonical and normalize_id(value) is not None, (
                        where,
                        i,
                        column,
                        value,
                    )
                else:
                    assert canonical, (where, i, column, value)
            elif column in DATE_COLUMNS and value:
                assert is_date(value), (where, i, column, value)
            elif column == "更新时间":
                assert UPDATE_TIME.match(value) or kind == "alt_datetime_format", (where, i, value)
            elif column in INSTITUTION_COLUMNS and value:
                assert is_institution_code(value), (where, i, column, value)
            elif column in STREET_COLUMNS:
                assert is_street_code(value), (where, i, column, value)
            elif column in ("性别代码", "性别"):
                assert value in SEX_CODES and ((value in "男女") == (kind == "sex_as_text")), (
                    where,
                    i,
                    value,
                )
            elif column in CODE_SETS:
                assert value in CODE_SETS[column] or (
                    column not in REQUIRED[feed] and value == ""
                ), (where, i, column, value)
            elif column in ("右眼裸眼视力", "左眼裸眼视力"):
                assert va_ok(value, values.get("视力记录方式", "")), (where, i, column, value)


def test_values_follow_the_contract_unless_recorded_as_defects(
    demo_city: City, files: pd.DataFrame, defects_by_file: dict[int, dict[tuple[int, str], str]]
) -> None:
    checked = files[~files["defect"].isin(["bad_file_name", "duplicate"])]
    population = checked[checked["feed"] == "population"]
    # population files are large and alike: the first and the last stand for all
    checked = pd.concat(
        [checked[checked["feed"] != "population"], population.head(1), population.tail(1)]
    )
    for f in checked.itertuples():
        delivery = read(demo_city.inbox / f.path, REQUIRED[f.feed])
        _check_values(
            f.feed, delivery.header, delivery.rows, defects_by_file.get(int(f.file_id), {}), f.path
        )


def test_every_recorded_row_defect_is_in_its_file(
    demo_city: City, files: pd.DataFrame, defects_by_file: dict[int, dict[tuple[int, str], str]]
) -> None:
    delivered = demo_city.truth("row_defects")
    sample = delivered.groupby("kind").head(50)
    paths = files.set_index("file_id")
    for d in sample.itertuples():
        f = paths.loc[d.file_id]
        delivery = read(demo_city.inbox / f.path, REQUIRED[f.feed])
        row = dict(zip(delivery.header, delivery.rows[d.row - 1], strict=False))
        assert row[d.column] == d.delivered, (f.path, d.row, d.column)
    # each broken kind of row value is injected somewhere
    assert {
        "id_bad_check",
        "id_bad_check_batch",
        "id_15_digit",
        "id_full_width",
        "id_lower_x",
        "id_spaces",
        "alt_date_format",
        "alt_datetime_format",
        "sex_as_text",
    } <= set(delivered["kind"])


def test_every_file_defect_is_injected_and_each_file_expects_its_outcome(
    files: pd.DataFrame,
) -> None:
    kinds = set(files["defect"])
    assert {
        "duplicate",
        "correction",
        "missing_required_column",
        "unknown_institution",
        "truncated",
        "empty",
        "bad_file_name",
        "bad_id_batch",
    } <= kinds
    assert {"gb18030", "utf-8-sig", "utf-8", "xlsx"} <= set(files["encoding"])
    assert {"crlf", "lf"} <= set(files["line_end"])
    expected = files.set_index("defect")["expected"].groupby(level=0).agg(set).to_dict()
    assert expected["missing_required_column"] == {"rejected"}
    assert expected["unknown_institution"] == {"rejected"}
    assert expected["duplicate"] == {"duplicate"}


def test_xlsx_rosters_have_title_rows_and_date_cells(demo_city: City, files: pd.DataFrame) -> None:
    rosters = files[files["format"] == "xlsx"]
    assert len(rosters) and rosters["defect_detail"].str.contains("title_row").any()
    assert rosters["defect_detail"].str.contains("date_cells").any()
    titled = rosters[
        rosters["defect_detail"].str.contains("title_row") & (rosters["defect"] == "normal")
    ].iloc[0]
    delivery = read(demo_city.inbox / titled.path, REQUIRED[titled.feed])
    assert delivery.title_rows == 1 and len(delivery.rows) == titled.data_rows


def test_correction_supersedes_the_same_sender_and_date(files: pd.DataFrame) -> None:
    corrections = files[files["defect"] == "correction"]
    originals = files[files["seq"] == 1].set_index(["feed", "sender", "business_day"])
    for c in corrections.itertuples():
        original = originals.loc[(c.feed, c.sender, c.business_day)]
        assert c.data_rows < int(original["data_rows"].max())


def test_files_larger_than_a_render_block_are_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A population snapshot is rendered in blocks; the file must still be one clean CSV."""
    import datetime as dt

    from synthcity import deliveries
    from synthcity.city import generate
    from synthcity.config import CityConfig, DefectRates

    monkeypatch.setattr(deliveries, "BLOCK_ROWS", 700)
    monkeypatch.setattr(deliveries, "LINES_PER_CHUNK", 150)
    config = CityConfig(
        scale=0.001,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 2, 28),
        defects=DefectRates(gb18030_file=1.0),
    )
    generate(config, tmp_path, log=lambda _: None)
    files = pd.read_parquet(tmp_path / "truth" / "deliveries.parquet")
    population = files[files["feed"] == "population"]
    assert (population["data_rows"] > 5 * 700).all()
    for f in population.itertuples():
        delivery = read(tmp_path / "inbox" / f.path, REQUIRED["population"])
        assert delivery.encoding == "gb18030"
        assert len(delivery.rows) == f.data_rows
        assert {len(r) for r in delivery.rows} == {len(delivery.header)}
        ids = [r[delivery.header.index("身份证号")] for r in delivery.rows]
        assert sum(normalize_id(v) is not None for v in ids) >= 0.99 * len(ids)
        assert hashlib.sha256((tmp_path / "inbox" / f.path).read_bytes()).hexdigest() == f.sha256


def test_files_arrive_after_their_business_day_and_carry_it_as_mtime(demo_city) -> None:
    files = demo_city.truth("deliveries")
    mtimes = pd.to_datetime(
        [(demo_city.inbox / p).stat().st_mtime for p in files.path], unit="s", utc=True
    )
    assert (abs(mtimes - pd.DatetimeIndex(files.arrived_at)) < pd.Timedelta(seconds=1)).all()
    local = pd.DatetimeIndex(files.arrived_at).tz_convert("Asia/Shanghai").tz_localize(None)
    delay_days = (local.normalize() - pd.DatetimeIndex(pd.to_datetime(files.business_day))).days
    assert (delay_days >= 1).all()  # a business day is delivered after it ends
    on_time = (delay_days == 1).mean()
    assert 0.8 < on_time < 0.99, on_time  # mostly the next morning, some late
