"""The value macros of dbt staging, held to independent references.

- normalize_id / id_birth_date / id_sex agree with python-stdnum (edge rule 8);
- parse_date, parse_datetime (edge rule 11), va_to_5point (edge rule 16) and
  normalize_sex agree with the Python readings below, written from the contract;
- where the gate's Python readings (expectations/) are importable, staging reads every
  case as the gate does.

The macros are compiled once with ``dbt compile --inline`` and the SQL is run in an
in-memory DuckDB over tables of cases: thousands generated from a seed (valid, corrupted
check characters, 15-digit, full-width, lower-case x, blanks around and inside, impossible
dates, wrong lengths, every date-time form, VA at and beyond the range bounds) and
hand-written ones with their expected result.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from tests.test_dbt_support import compile_inline, shared_work_dir

# edge rule 8: blanks stripped around (U+3000 too), full-width digits and x / Ｘ / ｘ folded
BLANKS = " \t\n\r\x0b\x0c\u00a0\u3000"
FOLD = str.maketrans("０１２３４５６７８９xＸｘ", "0123456789XXX")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
AREAS = ("320302", "320303", "320304", "320305", "320311", "320312", "320321", "320323", "110105")


def reference(text: str | None) -> str | None:
    """Edge rule 8 on top of python-stdnum's check digit and birth date."""
    if text is None:
        return None
    value = text.strip(BLANKS).translate(FOLD)
    if re.fullmatch(r"[0-9]{15}", value):
        body = value[:6] + "19" + value[6:]
    elif re.fullmatch(r"[0-9]{17}[0-9X]", value):
        body = value[:17]
        if ric.calc_check_digit(value) != value[17]:
            return None
    else:
        return None
    number = body + ric.calc_check_digit(body + "0")
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return None
    return number


def valid_id(rng: random.Random, born: dt.date) -> str:
    body = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def generated_cases(n: int = 600, seed: int = 11643) -> list[str]:
    rng = random.Random(seed)
    cases: list[str] = []
    for _ in range(n):
        born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(46000))
        good = valid_id(rng, born)
        wrong = rng.choice([c for c in "0123456789X" if c != good[-1]])
        old = f"{rng.choice(AREAS)}{born:%y%m%d}{rng.randrange(1000):03d}"
        i = rng.randrange(17)
        cases += [
            good,
            good[:-1] + wrong,  # corrupted check character
            good[:i] + str((int(good[i]) + rng.randrange(1, 10)) % 10) + good[i + 1 :],  # typo
            old,  # legacy 15 digits
            good.translate(FULL_WIDTH),
            good[:i] + good[i].translate(FULL_WIDTH) + good[i + 1 :],  # one full-width digit
            good.lower().replace("X", rng.choice("xｘＸ")),
            rng.choice(BLANKS) + good + rng.choice(BLANKS + "\u3000\u3000"),
            good[:i] + rng.choice(" \u3000") + good[i:],  # blank inside: invalid
            good[:-1],  # 17 characters
            good + rng.choice("0123456789"),  # 19 characters
            old[:-1],  # 14 digits
            good[:6] + f"{born.year:04d}{rng.randrange(13, 100):02d}01" + good[14:],  # month 13+
            good[:6] + f"{born.year:04d}{born.month:02d}{rng.randrange(32, 100):02d}" + good[14:],
            good[:6] + "0000" + good[10:],  # year 0000
        ]
    return cases


HAND_WRITTEN: dict[str | None, str | None] = {
    "11010519491231002X": "11010519491231002X",
    "11010519491231002x": "11010519491231002X",
    "11010519491231002ｘ": "11010519491231002X",
    "１１０１０５１９４９１２３１００２Ｘ": "11010519491231002X",
    "\u3000 11010519491231002X \u3000": "11010519491231002X",
    "110105491231002": "11010519491231002X",  # 15 digits gain 19 and the check character
    "\u3000１１０１０５４９１２３１００２ ": "11010519491231002X",
    "110105194912310020": None,  # wrong check character
    "110105 19491231002X": None,  # blank inside
    "1101051949123100２X": "11010519491231002X",
    "320302190002290012": None,  # 1900-02-29 does not exist
    "320302000229001": None,  # 15 digits: 1900-02-29
    "320302200002290014": "320302200002290014",  # 2000-02-29 exists
    "32030219800229002X": None,
    "320302198002290022": "320302198002290022",
    "32030219491231002": None,
    "99999919491231002X": None,  # area 999999 (area not checked) but wrong check char
    "999999194912310025": "999999194912310025",  # area code not checked
    "11010519491231002Y": None,
    "1101051949123100XX": None,
    "110105-19491231002X": None,
    "": None,
    "\u3000": None,
    None: None,
}


MACROS_SQL = """
with

ids as (
    select
        t,
        {{ normalize_id('t') }} as n,
        {{ id_birth_date(normalize_id('t')) }} as born,
        {{ id_sex(normalize_id('t')) }} as sex
    from id_cases
),

values_read as (
    select
        t,
        notation,
        {{ parse_date('t') }} as d,
        {{ parse_datetime('t') }} as ts,
        {{ va_to_5point('t', normalize_va_notation('notation')) }} as va,
        {{ normalize_sex('t') }} as sex
    from value_cases
)

select 'id' as kind, t, n, born, sex from ids
union all by name
select 'value' as kind, t, notation, sex, d, ts, va from values_read
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding every case and what the macros read from it."""

    def build(work: Path) -> None:
        compile_inline(work, MACROS_SQL)

    work = shared_work_dir("macros", build, tmp_path_factory.mktemp("macros"))
    sql = (work / "compiled.sql").read_text(encoding="utf-8")
    con = duckdb.connect()
    ids = sorted(set(generated_cases()) | {c for c in HAND_WRITTEN if c is not None})
    con.execute("create table id_cases as select unnest(?::varchar[]) as t", [[*ids, None]])
    texts, notations = zip(*value_cases(), strict=True)
    con.execute(
        "create table value_cases as select unnest(?::varchar[]) as t,"
        " unnest(?::varchar[]) as notation",
        [list(texts), list(notations)],
    )
    con.execute(f"create table read as {sql}")
    return con


@pytest.fixture(scope="module")
def results(compiled: duckdb.DuckDBPyConnection) -> dict[str | None, tuple]:
    rows = compiled.sql("select t, n, born, sex from read where kind = 'id'").fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def values(compiled: duckdb.DuckDBPyConnection) -> list[tuple]:
    return compiled.sql(
        "select t, notation, d, ts, va, sex from read where kind = 'value'"
    ).fetchall()


def test_generated_cases_cover_every_branch(results: dict[str | None, tuple]) -> None:
    valid = [t for t in results if t is not None and reference(t) is not None]
    invalid = [t for t in results if t is not None and reference(t) is None]
    assert len(results) > 5000
    assert len(valid) > 2000 and len(invalid) > 3000
    assert any(len(t) == 15 for t in valid)
    assert any(t != t.strip(BLANKS) for t in valid)
    assert any("ｘ" in t or "x" in t for t in valid)


def test_normalize_id_agrees_with_stdnum(results: dict[str | None, tuple]) -> None:
    mismatches = [(t, n, reference(t)) for t, (n, _, _) in results.items() if n != reference(t)]
    assert mismatches == []


def test_valid_numbers_are_valid_for_stdnum(results: dict[str | None, tuple]) -> None:
    """Where stdnum knows the area code for the birth year, it agrees on validity."""
    for text, (normalized, _, _) in results.items():
        if normalized is None:
            continue
        try:
            ric.get_birth_place(normalized)
        except ValidationError:
            continue  # an old or unknown area code: not checked by edge rule 8
        assert ric.is_valid(normalized), text


def test_birth_date_and_sex_of_the_normalized_id(results: dict[str | None, tuple]) -> None:
    for text, (normalized, born, sex) in results.items():
        if normalized is None:
            assert born is None and sex is None, text
            continue
        assert born == ric.get_birth_date(normalized), text
        assert sex == ("1" if int(normalized[16]) % 2 else "2"), text


@pytest.mark.parametrize("text", list(HAND_WRITTEN))
def test_hand_written(results: dict[str | None, tuple], text: str | None) -> None:
    assert results[text][0] == HAND_WRITTEN[text]
    assert reference(text) == HAND_WRITTEN[text]


def test_agrees_with_the_gate(results: dict[str | None, tuple]) -> None:
    """The gate (expectations/id_numbers.py) must read every ID as staging does."""
    gate = pytest.importorskip("expectations.id_numbers")
    mismatches = [
        (t, n, gate.normalize_id(t))
        for t, (n, _, _) in results.items()
        if n != gate.normalize_id(t)
    ]
    assert mismatches == []


# --- dates, 更新时间, VA, sex --------------------------------------------------------------

DATE_FORMS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
TIME_FORMS = (" %H:%M:%S", "T%H:%M:%S", " %H:%M", "T%H:%M", "")


def read_date(text: str | None) -> dt.date | None:
    """extract-interface §2: YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD, a real date, exactly as sent."""
    if text is None or not re.fullmatch(r"[0-9]{4}(-[0-9]{2}-|/[0-9]{2}/|[0-9]{2})[0-9]{2}", text):
        return None
    if text[4] in "-/" and text[7] != text[4]:
        return None
    digits = re.sub("[-/]", "", text)
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def read_datetime(text: str | None) -> dt.datetime | None:
    """Edge rule 11: a date form, optionally ' ' or 'T' and HH:MM[:SS[.fraction]]; or
    YYYYMMDDHHMM[SS[.fraction]] with no separator at all."""
    if text is None:
        return None
    m = re.fullmatch(
        r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[0-9]{8})"
        r"(?:[ T](?P<h>[0-9]{2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]+))?)?)?",
        text,
    ) or re.fullmatch(
        r"(?P<date>[0-9]{8})(?P<h>[0-9]{2})(?P<m>[0-9]{2})(?:(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]+))?)?",
        text,
    )
    if not m:
        return None
    day = read_date(m["date"])
    if day is None:
        return None
    try:
        clock = dt.time(
            int(m["h"] or 0),
            int(m["m"] or 0),
            int(m["s"] or 0),
            int((m["f"] or "")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    return dt.datetime.combine(day, clock)


def read_va(text: str | None, notation: str | None) -> Decimal | None:
    """Edge rule 16, with Python's Decimal for the half-away-from-zero rounding."""
    if text is None or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return None
    value = float(text)
    mode = {"1": "5", "5分": "5", "2": "d", "小数": "d"}.get(notation or "")
    tenth = Decimal("0.1")
    if mode in (None, "5") and 4.0 <= value <= 5.3:
        return Decimal(text).quantize(tenth, ROUND_HALF_UP)
    if mode in (None, "d") and 0.1 <= value <= 2.0:
        return Decimal(5 + math.log10(value)).quantize(tenth, ROUND_HALF_UP)
    return None


def value_cases(seed: int = 16) -> list[tuple[str | None, str | None]]:
    rng = random.Random(seed)
    cases: list[tuple[str | None, str | None]] = []
    for _ in range(400):
        day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        moment = dt.datetime.combine(
            day, dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60))
        )
        form = rng.choice(DATE_FORMS)
        cases += [
            (day.strftime(form), None),
            (moment.strftime(form + rng.choice(TIME_FORMS)), None),
            (moment.strftime("%Y%m%d%H%M%S"), None),
            (moment.strftime("%Y%m%d%H%M"), None),
            (moment.strftime("%Y-%m-%d %H:%M:%S") + "." + str(rng.randrange(10**6)), None),
            (moment.strftime("%Y/%m/%dT%H:%M:%S") + "." + str(rng.randrange(10**9)), None),
            (f"{day.year}-{day.month}-{day.day}", None),  # no zero padding: unreadable
            (f"{day.year}-{rng.randrange(13, 100):02d}-01", None),
            (f"{day:%Y%m}{rng.randrange(29, 40):02d}", None),
            (rng.choice(" \u3000") + day.strftime(form), None),  # blank around: unreadable
            (f"{day:%Y-%m-%d} {rng.randrange(24, 30):02d}:00:00", None),
            (f"{day:%Y-%m-%d}T12:{rng.randrange(60, 99)}", None),
        ]
        five = Decimal(rng.randrange(38, 55)) / 10 + Decimal(rng.randrange(100)) / 1000
        decimal = Decimal(rng.randrange(5, 25)) / 10 + Decimal(rng.randrange(10)) / 100
        notation = rng.choice([None, "", "1", "2", "5分", "小数", "3", " 1"])
        cases += [(str(five), notation), (str(decimal), notation), (f"{five:.1f}", notation)]
    fixed_va = ["4.0", "5.3", "3.9", "5.31", "5.35", "0.1", "2.0", "0.09", "2.01", "0.9", "0.8",
                "4.85", "4.75", "4.849", "1.0", "1", "5", "05.0", ".5", "5.", " 5.0", "4,8",
                "-4.5", "1e0", "", "１.0", "2.5", "3", "3.0", "0.5", "1.5"]  # fmt: skip
    for text in fixed_va:
        for notation in (None, "1", "2", "5分", "小数", "9", " 1"):
            cases.append((text, notation))
    fixed = ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "0000-01-01", "00000101",
             "2024-02-30", "2024/02/29", "20240229", "2024-02/29", "2024-13-01", "2024-00-10",
             "2026-03-07 24:00:00", "2026-03-07 23:59:60", "2026-03-07 23:59:59.999999999",
             "2026-03-07T16:30", "2026-03-07 16:30:47.5", "202603071630", "20260307T1630",
             "2026-03-07 1630", "2026-03-07  16:30", "２０２６-03-07", "2026-03-07Z", "",
             "1", "2", "0", "9", "男", "女", " 1", "1 ", "男性", "M"]  # fmt: skip
    cases += [(text, None) for text in fixed]
    cases.append((None, None))
    return cases


def test_value_cases_cover_every_branch(values: list[tuple]) -> None:
    assert len(values) > 5000
    assert sum(d is not None for _, _, d, _, _, _ in values) > 500
    assert sum(ts is not None and ts.microsecond for _, _, _, ts, _, _ in values) > 300
    assert sum(va is not None for _, _, _, _, va, _ in values) > 500


def test_parse_date(values: list[tuple]) -> None:
    assert [(t, d) for t, _, d, _, _, _ in values if d != read_date(t)] == []


def test_parse_datetime(values: list[tuple]) -> None:
    assert [(t, ts) for t, _, _, ts, _, _ in values if ts != read_datetime(t)] == []


def test_va_to_5point(values: list[tuple]) -> None:
    wrong = [(t, n, va) for t, n, _, _, va, _ in values if va != read_va(t, n)]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "notation", "expected"),
    [
        ("0.9", None, "5.0"),  # edge rule 16's own example
        ("0.8", None, "4.9"),
        ("0.1", None, "4.0"),
        ("2.0", None, "5.3"),
        ("1.5", "2", "5.2"),
        ("4.85", None, "4.9"),  # halves away from zero, in decimal arithmetic
        ("4.849", "1", "4.8"),
        ("5.0", "小数", None),  # contradicts the notation
        ("0.5", "5分", None),
        ("3.0", None, None),  # outside both ranges
        ("5.31", None, None),
        ("5", "9", "5.0"),  # an unreadable notation: the range decides
    ],
)
def test_va_hand_written(
    values: list[tuple], text: str, notation: str | None, expected: str | None
) -> None:
    got = {(t, n): va for t, n, _, _, va, _ in values}[(text, notation)]
    assert got == (None if expected is None else Decimal(expected))


def test_normalize_sex(values: list[tuple]) -> None:
    mapping = {"1": "1", "2": "2", "0": "0", "9": "9", "男": "1", "女": "2"}
    assert [(t, s) for t, _, _, _, _, s in values if s != mapping.get(t or "")] == []


def test_values_agree_with_the_gate(values: list[tuple]) -> None:
    """The gate (expectations/values.py) must read dates, times and VA as staging does."""
    gate = pytest.importorskip("expectations.values")
    for text, notation, day, moment, va, _ in values:
        assert gate.read_date(text) == day, text
        assert gate.read_datetime(text) == moment, text
        if not gate.is_blank(text):
            assert gate.va_is_valid(text, notation) == (va is not None), (text, notation)
