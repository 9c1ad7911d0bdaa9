"""Decoding and parsing of single files, on bytes built for each case."""

from __future__ import annotations

import datetime as dt
import io
import json

import pyarrow as pa
import pytest
import xlsxwriter

from ingest.contract import FEEDS
from ingest.landing import Lineage, landing_table
from ingest.parse import UnreadableFile, detect_encoding, parse_file

TEAM = FEEDS["team"]
KG = FEEDS["kg_roster"]
HEADER = "团队编码,所属机构代码,团队名称,有效标志"
ROWS = ["T001,12320302023WGP2U6C,张医生团队,1", "T002,12320302023WGP2U6C,李医生团队,0"]


def csv_bytes(lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode()


def values(parsed, name: str) -> list[str]:
    return parsed.columns[name].to_pylist()


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (csv_bytes([HEADER, *ROWS]), "utf-8"),
        (b"\xef\xbb\xbf" + csv_bytes([HEADER, *ROWS]), "utf-8-sig"),
        (csv_bytes([HEADER, *ROWS], "gb18030"), "gb18030"),
        (csv_bytes([HEADER, *ROWS], "gb18030", "\r\n"), "gb18030"),
    ],
)
def test_every_allowed_encoding_reads_the_same_text(raw: bytes, encoding: str) -> None:
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert parsed.encoding == encoding
    assert values(parsed, "team_name") == ["张医生团队", "李医生团队"]
    assert values(parsed, "active_flag") == ["1", "0"]  # CR of CRLF not left on the last field
    assert parsed.row_numbers.to_pylist() == [1, 2]
    assert parsed.missing_required == ()


def test_one_file_has_one_encoding() -> None:
    filler = [f"T{i:05d},12320302023WGP2U6C,team,1" for i in range(40_000)]  # > 1 MB of ASCII
    gb_row = csv_bytes(["T9,12320302023WGP2U6C,王医生团队,1"], "gb18030")
    raw = csv_bytes([HEADER, *filler]) + gb_row
    assert detect_encoding(raw) == "utf-8"
    with pytest.raises(UnreadableFile, match="not readable as utf-8 CSV"):
        parse_file(TEAM, "team_x.csv", raw)


def test_headers_are_trimmed_mapped_and_extra_columns_kept() -> None:
    header = "\u3000团队编码 , 团队名称,备注,所属机构代码,有效标志,团队名称"
    raw = csv_bytes([header, "T1,一队,夜班,12320302023WGP2U6C,1,重复列"])
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert values(parsed, "team_code") == ["T1"]
    assert values(parsed, "team_name") == ["一队"]  # a repeated name: the first column counts
    assert list(parsed.extra) == ["备注"]
    assert parsed.extra["备注"].to_pylist() == ["夜班"]


def test_values_are_kept_as_delivered() -> None:
    raw = csv_bytes([HEADER, ' T1 ,12320302023WGP2U6C,"队,名",', "T2,,,"])
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert values(parsed, "team_code") == [" T1 ", "T2"]
    assert values(parsed, "team_name") == ["队,名", ""]
    assert values(parsed, "active_flag") == ["", ""]


def test_missing_required_column_is_named() -> None:
    parsed = parse_file(TEAM, "team_x.csv", csv_bytes(["团队编码,所属机构代码,有效标志", "T1,X,1"]))
    assert parsed.missing_required == ("团队名称",)
    assert "team_name" not in parsed.columns


def test_a_truncated_last_line_is_malformed_and_the_rest_loads() -> None:
    raw = csv_bytes([HEADER, *ROWS, "T003,123203"])[:-1]  # the transfer broke off mid-line
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert values(parsed, "team_code") == ["T001", "T002"]
    assert parsed.malformed == [(3, "T003,123203")]


def test_a_wrong_field_count_in_the_middle_keeps_later_row_numbers() -> None:
    raw = csv_bytes([HEADER, ROWS[0], "T9,only,three", ROWS[1]])
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert parsed.row_numbers.to_pylist() == [1, 3]
    assert [r for r, _ in parsed.malformed] == [2]


def test_an_unclosed_quote_at_the_end_is_malformed() -> None:
    raw = csv_bytes([HEADER, ROWS[0]]) + b'T3,X,"unfinished'
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert values(parsed, "team_code") == ["T001"]
    assert len(parsed.malformed) == 1


def test_quoted_newlines_stay_inside_the_value() -> None:
    raw = csv_bytes([HEADER, 'T1,X,"一队\n二组",1', ROWS[1]])
    parsed = parse_file(TEAM, "team_x.csv", raw)
    assert values(parsed, "team_name") == ["一队\n二组", "李医生团队"]
    assert parsed.row_numbers.to_pylist() == [1, 2]


def test_header_only_file_has_no_rows() -> None:
    parsed = parse_file(TEAM, "team_x.csv", csv_bytes([HEADER]))
    assert parsed.data_rows == 0 and parsed.missing_required == ()


def test_bytes_that_are_no_text_are_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        parse_file(TEAM, "team_x.csv", HEADER.encode() + b"\n\x81\x20\xff\xfe,1,2,3\n")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


KG_HEADER = [
    "幼儿园标识码",
    "幼儿园名称",
    "所在街道代码",
    "幼儿身份证号",
    "幼儿姓名",
    "性别",
    "出生日期",
]


def test_xlsx_title_rows_empty_rows_and_date_cells() -> None:
    rows: list[list[object]] = [
        ["徐州市在园儿童名册（2026年春季）"],
        [],
        KG_HEADER + ["班级"],
        [
            "3203000001",
            "彭城幼儿园",
            "320302001",
            "320302202001011234",
            "王一",
            "男",
            dt.date(2020, 1, 1),
            "小一班",
        ],
        [],
        [
            "3203000001",
            "彭城幼儿园",
            "320302001",
            "320302202002021236",
            "王二",
            2,
            "2020/02/02",
            None,
        ],
        [None, None, None],
    ]
    parsed = parse_file(KG, "kg_roster_x.xlsx", xlsx_bytes(rows))
    assert parsed.encoding == "xlsx"
    assert values(parsed, "birth_date") == ["2020-01-01", "2020/02/02"]
    assert values(parsed, "sex_code") == ["男", "2"]  # a number cell reads as its integer text
    assert values(parsed, "class_name") == ["小一班", ""]
    assert parsed.row_numbers.to_pylist() == [1, 2]


def test_xlsx_missing_required_column_is_named() -> None:
    rows: list[list[object]] = [["名册"], [h for h in KG_HEADER if h != "幼儿姓名"], ["1"] * 6]
    parsed = parse_file(KG, "kg_roster_x.xlsx", xlsx_bytes(rows))
    assert parsed.missing_required == ("幼儿姓名",)
    assert parsed.data_rows == 1


def test_landing_table_carries_lineage_and_extra_json() -> None:
    raw = csv_bytes([HEADER + ",备注,数据来源", "T1,X,一队,1,夜班,HIS"])
    parsed = parse_file(TEAM, "team_x.csv", raw)
    lineage = Lineage(
        "team_X_20260101_1_abc",
        "team",
        "X",
        dt.date(2026, 1, 1),
        1,
        "abc",
        "team/team_X_20260101.csv",
        dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    table = landing_table(TEAM, parsed, lineage)
    row = table.to_pylist()[0]
    assert row["_business_date"] == dt.date(2026, 1, 1)
    assert row["_row_number"] == 1 and row["_file_path"] == "team/team_X_20260101.csv"
    assert json.loads(row["_extra"]) == {"备注": "夜班", "数据来源": "HIS"}
    assert table.schema.field("team_code").type == pa.string()


def test_gb18030_is_transcoded_in_slices_without_splitting_characters(monkeypatch) -> None:
    import ingest.parse

    raw = csv_bytes([HEADER, *ROWS, "T3,X,王医生团队𠀀,1"], "gb18030")
    whole = parse_file(TEAM, "team_x.csv", raw)
    monkeypatch.setattr(ingest.parse, "TRANSCODE_SLICE", 7)  # cuts through most characters
    sliced = parse_file(TEAM, "team_x.csv", raw)
    assert values(sliced, "team_name") == values(whole, "team_name")
    assert values(sliced, "team_name")[-1] == "王医生团队𠀀"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    "extra_rows",
    [
        [],
        ['T4,X,"王""医生"",团队",1'],  # quotes and a comma inside a value
        ["T5,X,王医生团队𠀀,1", "T6,,,"],  # a 4-byte character; empty values
        ['T7,X,"两行的\n团队",1'],  # a line feed inside a value: the whole-file path
    ],
)
def test_gb18030_by_column_equals_whole_file_transcoding(
    newline: str, extra_rows: list[str]
) -> None:
    import ingest.parse

    raw = csv_bytes(
        [HEADER + ",备注", *(r + ",夜班" for r in ROWS + extra_rows)], "gb18030", newline
    )
    by_column = parse_file(TEAM, "team_x.csv", raw)
    body = ingest.parse._utf8_body(raw, "gb18030")
    whole = ingest.parse._csv_with_arrow(TEAM, body, "gb18030")
    assert by_column.header == whole.header and by_column.encoding == "gb18030"
    for name in whole.columns:
        assert values(by_column, name) == values(whole, name)
    assert {h: c.to_pylist() for h, c in by_column.extra.items()} == {
        h: c.to_pylist() for h, c in whole.extra.items()
    }
    assert by_column.row_numbers.equals(whole.row_numbers)


def test_broken_gb18030_is_worded_as_before() -> None:
    raw = csv_bytes([HEADER, *ROWS], "gb18030") + "T3,X,王".encode("gb18030")[:-1] + b",1\n"
    with pytest.raises(UnreadableFile, match="GB18030|byte"):
        parse_file(TEAM, "team_x.csv", raw)
