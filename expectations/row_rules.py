"""Row rules of a feed as DuckDB SQL, generated from ``ingest.contract.row_rules`` (edge rules
8, 9, 11, 16).

The gate evaluates every row of every landing batch, millions per population snapshot, so
the rules are SQL over the landing Parquet rather than Python over rows.  ``broken_rules``
is the same logic in plain Python: the tests hold the SQL to it on generated rows, and it
documents each rule in one place.

Values are read as in values.py and id_numbers.py.  A blank required value breaks only
``missing``; an unreadable value breaks ``bad_<kind>``; the ID's birth date and sex are
compared with the row's only when both sides are readable (sex: the row says 1/2/男/女).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from ingest.contract import Feed, RowRule, row_rules

from . import id_numbers as ids
from . import values as val

_SEX = {"1": "1", "男": "1", "2": "2", "女": "2"}  # readable sexes; 0 / 9 are not compared
# column kind -> the derived value a caller may supply already computed (vectorized.py)
PRECOMPUTABLE = {"id": "id", "date": "date", "datetime": "ts"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def derived(kind: str, column: str) -> str:
    """Name of a value computed from a column: ``blank``, ``id``, ``date``, ``ts``, ``va``
    (and the ID steps ``fold``, ``body``, ``check``)."""
    return f"__{kind}:{column}"


def _va_notation(feed: Feed) -> str | None:
    return val.VA_NOTATION_COLUMN if val.VA_NOTATION_COLUMN in feed.names else None


def _check_contract(feed: Feed) -> None:
    notation = _va_notation(feed)
    if notation is not None:
        codes = set(feed.column(notation).codes)
        if codes != set(val.VA_NOTATIONS):
            raise ValueError(f"{feed.name}.{notation} codes {codes} are not read by values.py")


def rule_expressions(feed: Feed) -> dict[str, str]:
    """``RowRule.code`` → SQL boolean "this row breaks it", over ``derived_steps`` output."""
    _check_contract(feed)
    notation = _va_notation(feed)
    out: dict[str, str] = {}
    for rule in row_rules(feed):
        c = quote(rule.column)
        blank = quote(derived("blank", rule.column))
        present = f"NOT {blank}"
        match rule.rule:
            case "missing":
                sql = blank
            case "bad_id":
                sql = f"{present} AND {quote(derived('id', rule.column))} IS NULL"
            case "bad_date":
                sql = f"{present} AND {quote(derived('date', rule.column))} IS NULL"
            case "bad_datetime":
                sql = f"{present} AND {quote(derived('ts', rule.column))} IS NULL"
            case "bad_code":
                codes = ", ".join(ids.sql_literal(v) for v in feed.column(rule.column).codes)
                sql = f"{present} AND {c} NOT IN ({codes})"
            case "bad_va":
                number = quote(derived("va", rule.column))
                valid = val.va_valid_sql(number, quote(notation) if notation else None)
                sql = f"{present} AND NOT {valid}"
            case "id_birth_mismatch":
                assert feed.person is not None
                id_ = quote(derived("id", rule.column))
                birth = quote(derived("date", feed.person[1]))
                sql = (
                    f"{id_} IS NOT NULL AND {birth} IS NOT NULL"
                    f" AND CAST(strptime({id_}[7:14], '%Y%m%d') AS DATE) <> {birth}"
                )
            case "id_sex_mismatch":
                assert feed.person is not None
                id_ = quote(derived("id", rule.column))
                sex = quote(feed.person[2])
                readable = ", ".join(ids.sql_literal(v) for v in _SEX)
                male = ", ".join(ids.sql_literal(v) for v, s in _SEX.items() if s == "1")
                sql = (
                    f"{id_} IS NOT NULL AND {sex} IN ({readable})"
                    f" AND (CAST({id_}[17:17] AS INTEGER) % 2 = 1) <> ({sex} IN ({male}))"
                )
            case _:
                raise ValueError(f"row rule {rule.code} of {feed.name} has no SQL here")
        out[rule.code] = f"coalesce({sql}, false)"  # never NULL: three-valued logic
    return out


def rule_columns(feed: Feed) -> set[str]:
    """The columns the row rules read."""
    used = {rule.column for rule in row_rules(feed)}
    if feed.person:
        used.update(feed.person)
    notation = _va_notation(feed)
    if notation:
        used.add(notation)
    return used


def derived_steps(
    feed: Feed, columns: set[str] | None = None, precomputed: Collection[str] = ()
) -> list[dict[str, str]]:
    """Derived values of ``columns`` (default: those the rules read) in dependency order:
    each dict is one projection over the previous one, so every value is computed once per
    row (DuckDB does not share a sub-expression between CASE branches).  Names in
    ``precomputed`` (``__id:``, ``__date:``, ``__ts:`` values the source already holds,
    see vectorized.py) are not computed again."""
    wanted = rule_columns(feed) if columns is None else columns
    steps: list[dict[str, str]] = [{}, {}, {}, {}]
    for column in feed.columns:
        if column.name not in wanted:
            continue
        name = column.name
        c = quote(name)
        steps[0][derived("blank", name)] = val.blank_sql(c)
        if derived(PRECOMPUTABLE.get(column.kind, ""), name) in precomputed:
            continue
        if column.kind == "id":
            steps[0][derived("fold", name)] = ids.folded_id_sql(c)
            folded = quote(derived("fold", name))
            steps[1][derived("body", name)] = ids.id_body_sql(folded)
            body = quote(derived("body", name))
            steps[2][derived("check", name)] = ids.check_char_sql(body)
            check = quote(derived("check", name))
            steps[3][derived("id", name)] = ids.normalized_from_check_sql(folded, body, check)
        elif column.kind == "date":
            steps[0][derived("date", name)] = val.date_sql(c)
        elif column.kind == "datetime":
            steps[0][derived("ts", name)] = val.datetime_sql(c)
        elif column.kind == "va":
            steps[0][derived("va", name)] = val.va_number_sql(c)
    return [step for step in steps if step]


def derived_sql(
    feed: Feed, source: str, columns: set[str] | None = None, precomputed: Collection[str] = ()
) -> tuple[list[str], str]:
    """CTEs that add the derived values to ``source``; returns them and the last CTE's name."""
    ctes = [f"__s0 AS (SELECT * FROM {source})"]
    for i, step in enumerate(derived_steps(feed, columns, precomputed), start=1):
        cols = ", ".join(f"{sql} AS {quote(name)}" for name, sql in step.items())
        ctes.append(f"__s{i} AS (SELECT *, {cols} FROM __s{i - 1})")
    return ctes, f"__s{len(ctes) - 1}"


def flags_sql(
    feed: Feed,
    source: str,
    carry: Sequence[str] = (),
    also: Iterable[str] = (),
    precomputed: Collection[str] = (),
) -> str:
    """A query over ``source`` (a relation with the feed's canonical columns as text): the
    ``carry`` columns, the derived values (``__id:<col>``, ``__ts:<col>``, …) of the columns
    the rules read and of ``also``, one boolean column per rule named by its code, and
    ``__error`` / ``__warning`` (a rule of that severity is broken).  ``precomputed``: derived
    values ``source`` already holds (see ``derived_steps``)."""
    columns = rule_columns(feed) | set(also)
    ctes, last = derived_sql(feed, source, columns, precomputed)
    rules = row_rules(feed)
    exprs = rule_expressions(feed)
    rule_cols = ", ".join(f"{sql} AS {quote(code)}" for code, sql in exprs.items())
    ctes.append(f"__r AS (SELECT *, {rule_cols} FROM {last})")

    def any_of(severity: str) -> str:
        codes = [quote(r.code) for r in rules if r.severity == severity]
        return " OR ".join(codes) if codes else "false"

    computed = {name for step in derived_steps(feed, columns, precomputed) for name in step}
    derived_cols = [
        name
        for step in derived_steps(feed, columns)
        for name in step
        if name in computed or name in precomputed
    ]
    select = [
        *(quote(c) for c in carry),
        *(quote(c) for c in feed.names),
        *(quote(c) for c in derived_cols),
        *(quote(code) for code in exprs),
        f"({any_of('error')}) AS __error",
        f"({any_of('warning')}) AS __warning",
    ]
    return "WITH " + ", ".join(ctes) + " SELECT " + ", ".join(select) + " FROM __r"


# --- the same rules in Python ---------------------------------------------------------------


def broken_rules(feed: Feed, row: Mapping[str, str | None]) -> list[RowRule]:
    """The rules ``row`` (canonical name → delivered text) breaks, in contract order."""
    notation = row.get(val.VA_NOTATION_COLUMN) if _va_notation(feed) else None
    broken = []
    for rule in row_rules(feed):
        value = row.get(rule.column)
        blank = val.is_blank(value)
        match rule.rule:
            case "missing":
                hit = blank
            case "bad_id":
                hit = not blank and ids.normalize_id(value) is None
            case "bad_date":
                hit = not blank and val.read_date(value) is None
            case "bad_datetime":
                hit = not blank and val.read_datetime(value) is None
            case "bad_code":
                hit = not blank and value not in feed.column(rule.column).codes
            case "bad_va":
                hit = not blank and not val.va_is_valid(str(value), notation)
            case "id_birth_mismatch":
                assert feed.person is not None
                norm = ids.normalize_id(value)
                birth = val.read_date(row.get(feed.person[1]))
                hit = norm is not None and birth is not None and ids.birth_date_of_id(norm) != birth
            case "id_sex_mismatch":
                assert feed.person is not None
                norm = ids.normalize_id(value)
                sex = _SEX.get(row.get(feed.person[2]) or "")
                hit = norm is not None and sex is not None and ids.sex_of_id(norm) != sex
            case _:
                raise ValueError(f"row rule {rule.code} of {feed.name} has no Python here")
        if hit:
            broken.append(rule)
    return broken
