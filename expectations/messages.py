"""One-line messages a data steward can act on, one per refused batch.

A message names the file, the Chinese header, the share, the threshold and the first bad
row numbers.  It never holds an ID number or a name (personal data): only row numbers,
headers, counts and, for repeated keys, record numbers that are not ID numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ingest.contract import Feed, RowRule, row_rules


def percent(share: float, threshold: float | None = None) -> str:
    """``37%``, ``12.5%``; more decimals when rounding would make a share over the threshold
    read as the threshold itself (5.04% is not "5%")."""
    value = share * 100
    digits = 0 if abs(value - round(value)) < 1e-9 else 1
    text = f"{value:.{digits}f}"
    while threshold is not None and share > threshold and float(text) <= threshold * 100:
        digits += 1
        text = f"{value:.{digits}f}"
    return text + "%"


def rows_list(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows)


def sender_of(feed: str, file_name: str) -> str:
    """The institution code in ``<feed>_<institution>_<YYYYMMDD>[_<seq>].<ext>``."""
    rest = file_name[len(feed) + 1 :] if file_name.startswith(feed + "_") else file_name
    return rest.split("_")[0]


def missing_columns(file_name: str, headers: Sequence[str]) -> str:
    if len(headers) == 1:
        return f"{file_name}: required column {headers[0]} is missing"
    return f"{file_name}: required columns {', '.join(headers)} are missing"


def unknown_institution(feed: str, file_name: str) -> str:
    sender = sender_of(feed, file_name)
    return f"{file_name}: sender {sender} is not in the institution registry"


def no_data_rows(file_name: str) -> str:
    return f"{file_name}: no data rows"


def small_snapshot(file_name: str, rows: int, previous: int) -> str:
    return (
        f"{file_name}: {rows:,} rows, fewer than half of the previous snapshot ({previous:,} rows)"
    )


def _rule_phrase(feed: Feed, rule: RowRule, share: str) -> str:
    header = feed.headers_by_name[rule.column]
    match rule.rule:
        case "missing":
            return f"{share} of rows leave {header} blank"
        case "bad_id":
            return f"{share} of {header} fail the GB 11643 check"
        case "bad_date":
            return f"{share} of {header} are not a date (YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD)"
        case "bad_datetime":
            return f"{share} of {header} are not a readable date and time"
        case "bad_code":
            codes = " ".join(feed.column(rule.column).codes)
            return f"{share} of {header} are outside the code set ({codes})"
        case "bad_va":
            return f"{share} of {header} are not a visual acuity (4.0–5.3 or 0.1–2.0)"
        case "id_birth_mismatch":
            assert feed.person is not None
            birth = feed.headers_by_name[feed.person[1]]
            return f"{share} of {birth} disagree with the birth date in {header}"
        case "id_sex_mismatch":
            assert feed.person is not None
            sex = feed.headers_by_name[feed.person[2]]
            return f"{share} of {sex} disagree with the sex in {header}"
    return f"{share} of rows break {rule.code}"


def broken_rows(
    feed: Feed,
    file_name: str,
    data_rows: int,
    rows_flagged: int,
    rule_counts: Mapping[str, int],
    first_rows: Mapping[str, Sequence[int]],
    first_flagged_rows: Sequence[int],
) -> str:
    """The error rules most broken, with shares of the data rows; the threshold is the
    feed's share of rows that may break a rule."""
    threshold = feed.max_broken_share
    errors = [
        r for r in row_rules(feed) if r.severity == "error" and rule_counts.get(r.code, 0) > 0
    ]
    errors.sort(key=lambda r: -rule_counts[r.code])  # stable: contract order among ties
    limit = f"threshold {percent(threshold)}"
    if len(errors) == 1:
        rule = errors[0]
        phrase = _rule_phrase(feed, rule, percent(rule_counts[rule.code] / data_rows, threshold))
        return (
            f"{file_name}: {phrase} ({limit}); first bad rows: {rows_list(first_rows[rule.code])}"
        )
    phrases = [_rule_phrase(feed, r, percent(rule_counts[r.code] / data_rows)) for r in errors[:2]]
    more = f" and {len(errors) - 2} more rules" if len(errors) > 2 else ""
    share = percent(rows_flagged / data_rows, threshold)
    return (
        f"{file_name}: {share} of rows break a row rule ({limit}): {', '.join(phrases)}{more}; "
        f"first bad rows: {rows_list(first_flagged_rows)}"
    )


def duplicate_keys(
    feed: Feed, file_name: str, rows: int, example: str | None, first_rows: Sequence[int]
) -> str:
    """Rows sharing a record key (and 更新时间 where the feed has one) within the file; the
    first repeated key is shown only when no part of it is an ID number."""
    what = "a record key with the same 更新时间" if feed.version_column else "a record key"
    parts = [k for k in feed.key if not k.startswith("_")]  # the sender is in the file name
    headers = " + ".join(feed.headers_by_name[k] for k in parts)
    if example and all(feed.column(k).kind != "id" for k in parts):
        headers = f"{headers} {example} …"
    return (
        f"{file_name}: {rows:,} rows repeat {what} ({headers}); first rows: {rows_list(first_rows)}"
    )
