"""Row rules: ID normalization, value readings and the generated SQL, each held to an
independent reading (python-stdnum, hand-worked cases) and the SQL to the Python."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from expectations import id_numbers as ids
from expectations import values as val
from expectations.row_rules import broken_rules, flags_sql
from expectations.testing import landing_table, make_id, write_landing
from ingest.contract import FEEDS, row_rules

FOLD = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
BLANKS = " \t\n\r\x0b\x0c\u00a0\u3000"


def oracle(text: str | None) -> str | None:
    """Edge rule 8 read from its text, with stdnum checking the check character and date."""
    if text is None:
        return None
    value = text.strip(BLANKS).translate(FOLD)
    if len(value) == 15 and value.isascii() and value.isdigit():
        body = value[:6] + "19" + value[6:]
        value = body + ric.calc_check_digit(body + "0")
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()):
        return None
    if value[17] not in "0123456789X":
        return None
    try:
        if ric.calc_check_digit(value) != value[17]:
            return None
        ric.get_birth_date(value)
    except (ValidationError, ValueError):
        return None
    return value


def sql_values(expression: str, values: Sequence[str | None]) -> list[object]:
    """``expression`` (over column ``v``) evaluated by DuckDB for each value, in order."""
    con = duckdb.connect()
    table = pa.table({"i": list(range(len(values))), "v": pa.array(values, pa.string())})
    con.register("t", table)
    rows = con.execute(f"SELECT i, {expression} FROM t ORDER BY i").fetchall()
    return [r[1] for r in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # GB 11643-1999's own example
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("\u3000 11010519491231002X\t", "11010519491231002X"),  # blanks around
        ("110105491231002", "11010519491231002X"),  # 15 digits gain 19 and X
        ("32038219810101001" + "6", "320382198101010016"),  # Σ = 204, 204 mod 11 = 6
        ("320304198001010010", None),  # wrong check character (abolished area: not checked)
        ("11010519491231002", None),  # 17 characters
        ("1101051949 1231002X", None),  # a blank inside
        ("11010519491231002Y", None),
        ("11010519491231002X1", None),
        ("32030219990230" + "0010", None),  # 30 February 1999 (check char irrelevant)
        ("", None),
        ("   ", None),
        (None, None),
        ("320302000001010011", None),  # year 0000 is no date
        ("11010549123100X", None),  # a 15-digit number has no X
    ],
)
def test_normalize_id_hand_cases(text: str | None, expected: str | None) -> None:
    assert ids.normalize_id(text) == expected
    assert sql_values(ids.normalized_id_sql("v"), [text]) == [expected]


def test_check_char_is_gb11643_example_and_stdnum() -> None:
    assert ids.check_char("11010519491231002") == "X"
    rng = random.Random(5)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        assert ids.check_char(body) == ric.calc_check_digit(body + "0")


def generated_ids(n: int, seed: int) -> list[str]:
    """Valid IDs and every delivered or broken form of them."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 34_000))
        valid = make_id(
            rng.choice(["320302", "320304", "110105", "999999"]), born, rng.randrange(1000)
        )
        form = rng.randrange(12)
        if form == 0:
            out.append(valid)
        elif form == 1:  # corrupted check character
            out.append(valid[:-1] + rng.choice([c for c in "0123456789X" if c != valid[-1]]))
        elif form == 2 and born.year < 2000:  # legacy 15-digit
            out.append(valid[:6] + valid[8:17])
        elif form == 3:
            out.append(valid.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")))
        elif form == 4:
            out.append(valid[:-1] + valid[-1].lower())
        elif form == 5:
            out.append(rng.choice(BLANKS) + valid + rng.choice(BLANKS))
        elif form == 6:  # blank inside
            i = rng.randrange(1, 17)
            out.append(valid[:i] + rng.choice(" \u3000") + valid[i:])
        elif form == 7:  # impossible dates with a correct check character
            body = (
                valid[:6]
                + rng.choice(["19990230", "20010229", "19991301", "20000100"])
                + valid[14:17]
            )
            out.append(body + ids.check_char(body))
        elif form == 8:  # a digit changed (mostly breaks the check)
            i = rng.randrange(17)
            out.append(valid[:i] + str((int(valid[i]) + 1) % 10) + valid[i + 1 :])
        elif form == 9:  # garbage of ID-like length
            out.append(
                "".join(rng.choice("0123456789Xx ") for _ in range(rng.choice([15, 17, 18])))
            )
        elif form == 10:  # 29 February, leap and not
            year = rng.choice([1996, 1997, 2000, 1900 + rng.randrange(100)])
            body = valid[:6] + f"{year}0229" + valid[14:17]
            out.append(body + ids.check_char(body))
        else:
            out.append(valid[:6] + valid[8:15] + "X")  # 15 characters ending in X
    return out


def test_normalizers_match_stdnum_on_generated_ids() -> None:
    cases = generated_ids(20_000, seed=11)
    expected = [oracle(c) for c in cases]
    assert sum(e is not None for e in expected) > 5_000  # a fair share of valid ones
    assert sum(e is None for e in expected) > 5_000
    assert [ids.normalize_id(c) for c in cases] == expected
    assert sql_values(ids.normalized_id_sql("v"), list(cases)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-02-29", dt.date(2020, 2, 29)),
        ("20200229", dt.date(2020, 2, 29)),
        ("2020/02/29", dt.date(2020, 2, 29)),
        ("2019-02-29", None),
        ("2020-1-05", None),
        ("2020-01/05", None),
        (" 2020-01-05", None),  # dates are read as delivered
        ("0000-01-01", None),
        ("2020-13-01", None),
        ("", None),
    ],
)
def test_read_date(text: str, expected: dt.date | None) -> None:
    assert val.read_date(text) == expected
    assert sql_values(val.date_sql("v"), [text]) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-15 10:20:30", dt.datetime(2026, 3, 15, 10, 20, 30)),
        ("2026/03/15 10:20:30", dt.datetime(2026, 3, 15, 10, 20, 30)),
        ("20260315102030", dt.datetime(2026, 3, 15, 10, 20, 30)),
        ("2026-03-15T10:20:30", dt.datetime(2026, 3, 15, 10, 20, 30)),
        ("2026-03-15 10:20", dt.datetime(2026, 3, 15, 10, 20)),
        ("202603151020", dt.datetime(2026, 3, 15, 10, 20)),
        ("2026-03-15 10:20:30.25", dt.datetime(2026, 3, 15, 10, 20, 30, 250000)),
        ("20260315102030.1234567", dt.datetime(2026, 3, 15, 10, 20, 30, 123456)),
        ("2026-03-15", dt.datetime(2026, 3, 15)),
        ("20260315", dt.datetime(2026, 3, 15)),
        ("2026-03-15 24:00:00", None),
        ("2026-03-15 10:60:00", None),
        ("2026-02-30 10:00:00", None),
        ("2026-03-15 10", None),
        ("2026-03-15 10:20:30+08:00", None),
        ("20260315 102030", None),
        ("2026-03-15  10:20:30", None),
    ],
)
def test_read_datetime(text: str, expected: dt.datetime | None) -> None:
    assert val.read_datetime(text) == expected
    assert sql_values(val.datetime_sql("v"), [text]) == [expected]


def test_value_readings_agree_with_sql_on_generated_text() -> None:
    rng = random.Random(3)
    alphabet = "0123456789-/: T.x"
    texts = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 22))) for _ in range(3000)
    ]
    for _ in range(3000):  # near-valid dates and times
        d = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
        form = rng.choice(["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"])
        text = d.strftime(form)
        text = text[:-2] + rng.choice(["29", "30", "31", "00", text[-2:]])
        if rng.random() < 0.5:
            text += rng.choice([" ", "T", ""]) + f"{rng.randrange(26):02d}:{rng.randrange(62):02d}"
            text += rng.choice(["", f":{rng.randrange(62):02d}", ":05.5"])
        texts.append(text)
    assert sql_values(val.date_sql("v"), texts) == [val.read_date(t) for t in texts]
    assert sql_values(val.datetime_sql("v"), texts) == [val.read_datetime(t) for t in texts]
    assert sql_values(val.blank_sql("v"), [*texts, " ", "\u3000", "", None, " a"]) == [
        val.is_blank(t) for t in [*texts, " ", "\u3000", "", None, " a"]
    ]


@pytest.mark.parametrize(
    ("va", "notation", "valid"),
    [
        ("4.9", None, True),
        ("0.8", None, True),
        ("5.3", None, True),
        ("4.0", None, True),
        ("2.0", None, True),
        ("0.1", None, True),
        ("5.4", None, False),
        ("3.9", None, False),
        ("2.1", None, False),
        ("0.05", None, False),
        ("4.9", "1", True),
        ("4.9", "5分", True),
        ("4.9", "2", False),  # contradicts the notation
        ("0.8", "小数", True),
        ("0.8", "1", False),
        ("0.8", "x", True),  # an invalid notation is no notation: by range
        ("4.9 ", None, False),
        ("-0.8", None, False),
        (".8", None, False),
        ("5", None, True),
    ],
)
def test_va_validity(va: str, notation: str | None, valid: bool) -> None:
    assert val.va_is_valid(va, notation) is valid
    con = duckdb.connect()
    number = con.execute(f"SELECT {val.va_number_sql('$v')}", {"v": va}).fetchone()
    assert number is not None
    result = con.execute(
        f"SELECT {val.va_valid_sql('$n', '$m')}", {"n": number[0], "m": notation}
    ).fetchone()
    assert result == (valid,)


# --- whole rows: the generated SQL against the Python rules, on every feed ------------------

VALUES_BY_KIND = {
    "id": [
        make_id("320302", dt.date(2021, 5, 6), 11),  # 男
        make_id("320302", dt.date(2021, 5, 6), 12),  # 女
        " " + make_id("320311", dt.date(1985, 12, 31), 35),
        "320302850101001",  # 15 digits, 1985-01-01, 男
        make_id("320302", dt.date(2021, 5, 6), 11)[:-1] + "Z",
        "32030219990230001X",
        "",
        "\u3000",
        None,
    ],
    "date": [
        "2021-05-06",
        "20210506",
        "2021/05/06",
        "1985-12-31",
        "1985-01-01",
        "2021-02-30",
        "x",
        "",
        None,
    ],
    "datetime": ["2026-03-15 10:00:00", "2026/03/15 10:00", "20260315", "2026-13-01", "", None],
    "va": ["4.9", "0.8", "5.5", "abc", "", None],
    "text": ["A1", "", " ", None],
}
SPECIAL = {
    "va_notation": ["1", "2", "5分", "小数", "3", "", None],
    "sex_code": ["1", "2", "男", "女", "0", "9", "3", "", None],
}


def random_rows(feed_name: str, n: int, seed: int) -> dict[str, list[str | None]]:
    rng = random.Random(seed)
    feed = FEEDS[feed_name]
    columns: dict[str, list[str | None]] = {}
    for c in feed.columns:
        if c.name in SPECIAL:
            choices = SPECIAL[c.name]
        elif c.kind == "code":
            choices = [*c.codes, "?", "", None]
        else:
            choices = VALUES_BY_KIND[c.kind]
        columns[c.name] = [rng.choice(choices) for _ in range(n)]
    return columns


def sql_broken(feed_name: str, path: Path) -> list[set[str]]:
    feed = FEEDS[feed_name]
    codes = [r.code for r in row_rules(feed)]
    sql = flags_sql(feed, f"read_parquet('{path}')", carry=("_row_number",))
    con = duckdb.connect()
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY _row_number").df()
    return [{c for c in codes if row[c]} for _, row in rows.iterrows()]


@pytest.mark.parametrize("feed_name", sorted(FEEDS))
def test_rules_sql_matches_python_rules(feed_name: str, tmp_path: Path) -> None:
    columns = random_rows(feed_name, 400, seed=len(feed_name))
    path = write_landing(tmp_path / "b.parquet", landing_table(feed_name, columns))
    got = sql_broken(feed_name, path)
    feed = FEEDS[feed_name]
    rows = [{k: v[i] for k, v in columns.items()} for i in range(400)]
    expected = [{r.code for r in broken_rules(feed, row)} for row in rows]
    assert got == expected
    assert any(expected), "the generated rows break some rule"


def eye_row(**values: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "check_no": "A1",
        "child_id_number": make_id("320302", dt.date(2021, 5, 6), 11),
        "sex_code": "1",
        "birth_date": "2021-05-06",
        "check_date": "2026-03-15",
        "result_code": "1",
        "action_code": "0",
        "updated_at": "2026-03-15 10:00:00",
    }
    base.update(values)
    return base


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, set()),
        ({"sex_code": "男"}, set()),
        ({"sex_code": "女"}, {"id_sex_mismatch:child_id_number"}),
        ({"sex_code": "2"}, {"id_sex_mismatch:child_id_number"}),
        ({"sex_code": "0"}, set()),  # 未知 states no sex: nothing to compare
        ({"sex_code": "3"}, {"bad_code:sex_code"}),
        ({"sex_code": ""}, {"missing:sex_code"}),
        ({"birth_date": "20210507"}, {"id_birth_mismatch:child_id_number"}),
        ({"birth_date": "2021/05/06"}, set()),
        ({"birth_date": "2021-05-32"}, {"bad_date:birth_date"}),  # unreadable: not compared
        ({"child_id_number": ""}, set()),  # optional: may be blank
        ({"child_id_number": "320302202105060111"}, {"bad_id:child_id_number"}),
        ({"child_id_number": "３" + make_id("320302", dt.date(2021, 5, 6), 11)[1:]}, set()),
        ({"va_right": "4.9", "va_left": "0.8"}, set()),
        ({"va_right": "4.9", "va_notation": "2"}, {"bad_va:va_right"}),
        ({"va_right": "0.8", "va_notation": "5分"}, {"bad_va:va_right"}),
        ({"va_right": "0.8", "va_notation": "9"}, {"bad_code:va_notation"}),
        ({"va_left": "3.0"}, {"bad_va:va_left"}),
        ({"check_stage": "7岁"}, {"bad_code:check_stage"}),
        ({"check_stage": "4岁"}, set()),
        ({"updated_at": "2026-03-15T10:00"}, set()),
        ({"updated_at": "2026-03-15 25:00"}, {"bad_datetime:updated_at"}),
        ({"updated_at": None}, {"missing:updated_at"}),
        ({"check_no": "\u3000"}, {"missing:check_no"}),
    ],
)
def test_eye_check_rules_by_hand(
    values: dict[str, str | None], expected: set[str], tmp_path: Path
) -> None:
    row = eye_row(**values)
    assert {r.code for r in broken_rules(FEEDS["eye_check"], row)} == expected
    path = write_landing(
        tmp_path / "b.parquet", landing_table("eye_check", {k: [v] for k, v in row.items()})
    )
    assert sql_broken("eye_check", path) == [expected]


def test_rule_severities_follow_the_contract() -> None:
    rules = {r.code: r.severity for r in row_rules(FEEDS["population"])}
    assert rules["id_birth_mismatch:id_number"] == "error"  # population: excluded
    eye = {r.code: r.severity for r in row_rules(FEEDS["eye_check"])}
    assert eye["bad_id:child_id_number"] == "warning"  # optional ID
    assert eye["bad_code:check_stage"] == "error"  # a code outside its set
    assert eye["id_birth_mismatch:child_id_number"] == "warning"


def test_vectorized_readings_match_python() -> None:
    """The gate's numpy readings (large batches) return exactly the Python readings."""
    from expectations import vectorized as vec

    rng = random.Random(11)
    texts: list[str | None] = [None, "", " ", "\u3000"]
    for _ in range(4000):
        born = dt.date(1, 1, 1) + dt.timedelta(days=rng.randrange(3_652_000))
        body = f"{rng.randrange(110000, 660000)}{born.year:04d}{born:%m%d}{rng.randrange(1000):03d}"
        text = body + ids.check_char(body)
        match rng.randrange(8):
            case 0:
                text = text[:6] + text[8:17]  # 15 digits
            case 1:
                text = text[:-1] + rng.choice("0123456789Xx")  # any check character
            case 2:  # impossible dates
                day = rng.choice(["02", "13", "00"]) + rng.choice(["29", "30", "31"])
                body = text[:10] + day + text[14:17]
                text = body + ids.check_char(body)
            case 3:
                text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            case 4:
                text = "\u3000" + text + " "
        texts.append(text)
    alphabet = "0123456789-/: T.xX"
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 22))) for _ in range(3000)
    ]
    for _ in range(3000):
        d = dt.date(1, 1, 1) + dt.timedelta(days=rng.randrange(3_652_000))
        text = f"{d.year:04d}" + d.strftime(rng.choice(["-%m-%d", "%m%d", "/%m/%d"]))
        text = text[:-2] + rng.choice(["29", "30", "31", "00", text[-2:]])
        if rng.random() < 0.5:
            text += rng.choice([" ", "T"]) + f"{rng.randrange(26):02d}:{rng.randrange(62):02d}"
            text += rng.choice(["", f":{rng.randrange(62):02d}", ":05.5"])
        texts.append(text)
    texts += ["0000-01-01", "0000-01-01 00:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59"]
    column = pa.chunked_array([pa.array(texts[:5000], pa.string()), pa.array(texts[5000:])])
    assert vec.normalized_ids(column).to_pylist() == [ids.normalize_id(t) for t in texts]
    assert vec.dates(column).to_pylist() == [val.read_date(t) for t in texts]
    assert vec.datetimes(column).to_pylist() == [val.read_datetime(t) for t in texts]
    sliced = pa.array(texts, pa.string()).slice(7, 300)
    assert vec.normalized_ids(sliced).to_pylist() == [ids.normalize_id(t) for t in texts[7:307]]
