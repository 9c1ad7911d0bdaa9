"""干预清单 per responsible family-doctor team as XLSX — the one place a clear ID is joined back.

One workbook per team (or per institution when the child has no contracted team):
``<out>/worklists/<list_date>/<institution_code>/<team_code or 'no-team'>.xlsx`` with two sheets,
``干预清单`` (children flagged and not yet followed up, most overdue first) and ``复查情况``
(the previous list's children: followed up since? when, with what result). The clear ID number
and name come from ``identity.identity_persons`` at export time, because the team must act.
Institutions, teams and kindergartens are shown as ``名称（代码）`` (names from the list, as of its
date; the code alone when the list has no name).

Safety: every text cell is written with ``write_string`` (never a formula) and a text starting
with ``=``, ``+``, ``-``, ``@``, tab, CR or LF is prefixed with ``'`` (CSV/formula injection,
OWASP); ID numbers are text, so a trailing ``X`` or leading zero survives. Log lines carry
paths and counts only, never an ID or a name.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.suppression import is_missing
from reports.warehouse import VisionData, load_identity, load_vision_data

log = logging.getLogger(__name__)

NO_TEAM = "no-team"
NO_INSTITUTION = "no-institution"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

INTERVENTION_HEADERS = (
    "儿童身份证号",
    "姓名",
    "性别",
    "出生日期",
    "检查日期",
    "检查机构",
    "异常原因",
    "逾期天数",
    "幼儿园",
    "责任团队",
    "责任机构",
    "本期新增",
)
REMONITORING_HEADERS = (
    "儿童身份证号",
    "姓名",
    "性别",
    "出生日期",
    "上期清单日期",
    "原检查日期",
    "原检查机构",
    "是否已复查",
    "复查日期",
    "复查结果",
    "复查处理意见",
    "复查视力不良",
)
SEX = {"1": "男", "2": "女", "0": "未知的性别", "9": "未说明的性别"}
FLAG_REASON = {
    "action": "处理意见为复查或转诊",
    "poor_vision": "视力不良",
    "action_and_poor_vision": "视力不良，且处理意见为复查或转诊",
}
RESULT = {"1": "未见异常", "2": "异常"}
ACTION = {"0": "无", "1": "复查", "2": "转诊"}
Record = Mapping[Hashable, Any]
_SAFE_PATH_PART = re.compile(r"[^0-9A-Za-z_.-]")


def neutralize(text: str) -> str:
    """A text that a spreadsheet could take for a formula gets a leading ``'``."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _path_part(code: object, default: str) -> str:
    if is_missing(code) or not str(code).strip():
        return default
    part = _SAFE_PATH_PART.sub("_", str(code).strip())
    return default if part in {"", ".", ".."} else part


def worklist_path(out_dir: Path, list_date: dt.date, institution: object, team: object) -> Path:
    """``<out>/worklists/<list_date>/<institution_code>/<team_code or 'no-team'>.xlsx``."""
    return (
        out_dir
        / "worklists"
        / list_date.isoformat()
        / _path_part(institution, NO_INSTITUTION)
        / f"{_path_part(team, NO_TEAM)}.xlsx"
    )


@dataclass(frozen=True)
class WorklistFile:
    path: Path
    institution_code: str | None
    team_code: str | None
    children: int
    remonitored: int


class _Sheet:
    """Typed writes: text through write_string (neutralized), dates as dates, numbers as
    numbers, blanks as blanks."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, headers: Sequence[str]) -> None:
        self.sheet: Worksheet = book.add_worksheet(name)
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        header = book.add_format(
            {"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True}
        )
        for column, title in enumerate(headers):
            self.sheet.write_string(0, column, title, header)
        self.sheet.freeze_panes(1, 0)
        self.headers = headers
        self.rows = 0

    def add(self, values: Sequence[object]) -> None:
        self.rows += 1
        for column, value in enumerate(values):
            self.cell(self.rows, column, value)

    def cell(self, row: int, column: int, value: object) -> None:
        if is_missing(value):
            self.sheet.write_blank(row, column, None)
        elif isinstance(value, bool):
            self.sheet.write_string(row, column, "是" if value else "否")
        elif isinstance(value, dt.datetime | dt.date):
            when = (
                value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            )
            self.sheet.write_datetime(row, column, when, self.date)
        elif isinstance(value, Real):
            self.sheet.write_number(row, column, value)
        else:
            self.sheet.write_string(row, column, neutralize(str(value)), self.text)

    def finish(self, widths: Sequence[int]) -> None:
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.headers) - 1)
        self.sheet.set_landscape()
        self.sheet.set_paper(9)  # A4
        self.sheet.fit_to_pages(1, 0)
        self.sheet.repeat_rows(0)


def _text(value: object) -> str | None:
    return None if is_missing(value) else str(value)


def _int(value: object) -> int | None:
    return None if is_missing(value) else int(value)  # type: ignore[call-overload]


def _bool(value: object) -> bool | None:
    return None if is_missing(value) else bool(value)


def _label(codes: dict[str, str], value: object) -> str | None:
    text = _text(value)
    return None if text is None else codes.get(text, text)


def named(name: object, code: object) -> str | None:
    """``名称（代码）``; the code alone without a name, the name alone without a code."""
    text_name, text_code = _text(name), _text(code)
    if text_name is not None and not text_name.strip():
        text_name = None
    if text_name is None or text_name == text_code:
        return text_code
    return text_name if text_code is None else f"{text_name}（{text_code}）"


def _identity_lookup(identity: pd.DataFrame) -> dict[str, Record]:
    return {str(row["person_key"]): row for row in identity.to_dict("records")}


def _intervention_values(
    row: Record, person: Record, kindergartens: dict[str, str]
) -> list[object]:
    kg = _text(row["kindergarten_code"])
    kg_name = _text(row.get("kindergarten_name")) or (None if kg is None else kindergartens.get(kg))
    return [
        _text(person.get("id_number")),
        _text(person.get("name")),
        _label(SEX, person.get("sex_code")),
        person.get("birth_date"),
        row["flag_date"],
        named(row.get("flag_institution_name"), row["flag_institution_code"]),
        _label(FLAG_REASON, row["flag_reason"]),
        _int(row["days_overdue"]),
        named(kg_name, kg),
        named(row.get("responsible_team_name"), row["responsible_team_code"]),
        named(row.get("responsible_institution_name"), row["responsible_institution_code"]),
        _bool(row["is_new_on_list"]),
    ]


def _remonitoring_values(row: Record, person: Record) -> list[object]:
    return [
        _text(person.get("id_number")),
        _text(person.get("name")),
        _label(SEX, person.get("sex_code")),
        person.get("birth_date"),
        row["previous_list_date"],
        row.get("flag_date"),
        named(row.get("flag_institution_name"), row.get("flag_institution_code")),
        _bool(row["is_followed_up_since"]),
        row["followup_date"],
        _label(RESULT, row["followup_result_code"]),
        _label(ACTION, row["followup_action_code"]),
        _bool(row["followup_shows_poor_vision"]),
    ]


def latest_list_date(interventions: pd.DataFrame, as_of: dt.date | None = None) -> dt.date | None:
    dates = interventions["list_date"].dropna()
    if as_of is not None:
        dates = dates[dates <= as_of]
    return None if dates.empty else max(dates)


def _kindergarten_names(results: pd.DataFrame) -> dict[str, str]:
    kg = results[results["level"] == "kindergarten"][["unit_code", "unit_name"]].dropna()
    return {
        str(code): str(name) for code, name in zip(kg["unit_code"], kg["unit_name"], strict=True)
    }


def write_worklists(
    data: VisionData,
    identity: pd.DataFrame,
    out_dir: str | Path,
    list_date: dt.date,
) -> list[WorklistFile]:
    """Write one workbook per responsible (institution, team) of the list of ``list_date``."""
    out = Path(out_dir)
    keys = ["responsible_institution_code", "responsible_team_code"]
    interventions = data.interventions
    current = interventions[interventions["list_date"] == list_date].sort_values(
        ["days_overdue", "flag_date"], ascending=[False, True], na_position="last"
    )
    remon = data.remonitoring[data.remonitoring["list_date"] == list_date]
    previous = interventions[interventions["list_date"].isin(set(remon["previous_list_date"]))]
    remon = remon.merge(
        previous[
            [
                "list_date",
                "person_key",
                "flagged_check_key",
                "flag_date",
                "flag_institution_code",
                *(["flag_institution_name"] if "flag_institution_name" in previous else []),
                *keys,
            ]
        ].rename(columns={"list_date": "previous_list_date"}),
        on=["previous_list_date", "person_key", "flagged_check_key"],
        how="left",
    ).sort_values(["is_followed_up_since", "flag_date"], na_position="last")
    people = _identity_lookup(identity)
    kindergartens = _kindergarten_names(data.results)
    missing = set(current["person_key"]).union(remon["person_key"]) - set(people)
    if missing:
        log.warning(
            "%s children of the %s list have no identity row; their ID and name are blank",
            len(missing),
            list_date,
        )

    def group_key(frame: pd.DataFrame) -> Iterable[tuple[object, object]]:
        return zip(frame[keys[0]], frame[keys[1]], strict=True)

    teams = sorted(
        {(_text(i), _text(t)) for i, t in (*group_key(current), *group_key(remon))},
        key=lambda k: (k[0] or "~", k[1] or "~"),
    )
    written = []
    for institution, team in teams:
        path = worklist_path(out, list_date, institution, team)
        path.parent.mkdir(parents=True, exist_ok=True)

        def mine(
            frame: pd.DataFrame, inst: str | None = institution, tm: str | None = team
        ) -> pd.DataFrame:  # noqa: E501
            inst_ok = frame[keys[0]].isna() if inst is None else frame[keys[0]] == inst
            team_ok = frame[keys[1]].isna() if tm is None else frame[keys[1]] == tm
            return frame[inst_ok.fillna(False) & team_ok.fillna(False)]

        listed = mine(current)
        followed = mine(remon)
        tmp = path.with_suffix(".xlsx.tmp")
        book = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        book.set_properties(
            {
                "title": f"儿童视力干预清单 {list_date}",
                "subject": "内部资料，含个人信息，仅限责任团队使用",
            }
        )
        sheet = _Sheet(book, "干预清单", INTERVENTION_HEADERS)
        for row in listed.to_dict("records"):
            sheet.add(
                _intervention_values(row, people.get(str(row["person_key"]), {}), kindergartens)
            )  # noqa: E501
        sheet.finish((21, 12, 8, 12, 12, 36, 24, 10, 30, 40, 36, 10))
        sheet.sheet.set_header(f"&L儿童视力干预清单（清单日期 {list_date}）&R内部资料 注意保密")
        resheet = _Sheet(book, "复查情况", REMONITORING_HEADERS)
        for row in followed.to_dict("records"):
            resheet.add(_remonitoring_values(row, people.get(str(row["person_key"]), {})))
        resheet.finish((21, 12, 8, 12, 13, 12, 36, 11, 12, 11, 13, 13))
        resheet.sheet.set_header(f"&L上期清单复查情况（清单日期 {list_date}）&R内部资料 注意保密")
        book.close()
        tmp.replace(path)
        written.append(
            WorklistFile(path, institution, team, children=len(listed), remonitored=len(followed))
        )
        log.info("worklist %s: %s children, %s re-monitored", path, len(listed), len(followed))
    return written


def export_worklists(
    warehouse_path: str | Path,
    out_dir: str | Path,
    list_date: dt.date | None = None,
    data: VisionData | None = None,
) -> list[WorklistFile]:
    """Export the 干预清单 of ``list_date`` (default: the latest list) from the warehouse."""
    data = data or load_vision_data(warehouse_path)
    chosen = list_date or latest_list_date(data.interventions)
    if chosen is None:
        log.info("no intervention list in the warehouse: no worklists written")
        return []
    keys = set(data.interventions.loc[data.interventions["list_date"] == chosen, "person_key"])
    keys |= set(data.remonitoring.loc[data.remonitoring["list_date"] == chosen, "person_key"])
    identity = load_identity(warehouse_path, keys)
    return write_worklists(data, identity, out_dir, chosen)
