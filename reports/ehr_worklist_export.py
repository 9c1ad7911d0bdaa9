"""The health-record worklists (档随人走) as XLSX, per managing institution and district bureau.

For a list date D (a month end):

- ``<out>/worklists/health_records/<D>/<institution_code>.xlsx`` per managing institution, with
  the sheets ``迁档清单`` (its records that are not where they should be: 机构内 / 区域内 /
  跨区域, with the open transfer request), ``重复档案`` (persons with two or more active records,
  one of them held here) and ``失效档案`` (active records of persons no longer resident);
- ``<out>/worklists/health_records/<D>/district_<code>.xlsx`` per district bureau, with
  ``跨区域迁档协调`` (the escalation list: cross-district requests open more than 15 days or
  flagged 协调转办, where the district is the 迁出 or the 迁入 side) and ``机构迁档汇总`` (counts
  of its institutions' lists).

Every row carries ``变化``: 新增 (not on the previous list), 仍未处理 (on it too) or 已解决 (on
the previous list, no longer on this one; shown once). The warehouse lists carry person_key
only; the clear ID number and name are joined from ``identity.identity_persons`` here, at export
time, because the institution must act. Safety as :mod:`reports.worklist_export` (whose writers
are reused): text cells neutralized against formula injection, IDs and codes as text, log lines
with paths and counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter

from reports.health_records_report import (
    STALE_REASONS,
    TRANSFER_CLASSES,
    UNKNOWN_DISTRICT,
    district_names,
    institution_names,
    latest_list_date,
    previous_list_date,
    team_names,
)
from reports.suppression import is_missing
from reports.warehouse import HealthRecordsData, load_health_records_data, load_identity
from reports.worklist_export import (
    NO_INSTITUTION,
    Record,
    _identity_lookup,
    _int,
    _path_part,
    _Sheet,
    _text,
)

log = logging.getLogger(__name__)

TRANSFER_HEADERS = (
    "档案编号",
    "身份证号",
    "姓名",
    "类别",
    "现管理机构/团队",
    "应归属机构/团队",
    "在途申请编号",
    "申请天数",
    "变化",
)
DUPLICATE_HEADERS = ("身份证号", "姓名", "有效档案数", "档案编号", "管理机构", "变化")
STALE_HEADERS = ("档案编号", "身份证号", "姓名", "失效原因", "管理机构", "变化")
ESCALATION_HEADERS = (
    "申请编号",
    "档案编号",
    "身份证号",
    "姓名",
    "迁出机构",
    "迁出区县",
    "迁入机构",
    "迁入区县",
    "本区角色",
    "申请天数",
    "协调转办",
    "变化",
)
SUMMARY_HEADERS = (
    "机构代码",
    "机构名称",
    "机构内",
    "区域内",
    "跨区域",
    "迁档清单合计",
    "其中新增",
    "仍未处理",
    "上期已解决",
    "有在途申请",
    "重复档案（人）",
    "失效档案（份）",
)
CHANGE_LABELS = {"new": "新增", "still_open": "仍未处理", "resolved": "已解决"}
# within a sheet: the oldest problems first, what was solved last
CHANGE_ORDER = {"still_open": 0, "new": 1, "resolved": 2}
CLASS_ORDER = {"跨区域": 0, "区域内": 1, "机构内": 2}
DISTRICT_PREFIX = "district_"
CONFIDENTIAL = "&R内部资料 注意保密"


def worklist_dir(out_dir: str | Path, list_date: dt.date) -> Path:
    """``<out>/worklists/health_records/<list_date>``."""
    return Path(out_dir) / "worklists" / "health_records" / list_date.isoformat()


def institution_worklist_path(out_dir: str | Path, list_date: dt.date, institution: object) -> Path:
    return worklist_dir(out_dir, list_date) / f"{_path_part(institution, NO_INSTITUTION)}.xlsx"


def district_worklist_path(out_dir: str | Path, list_date: dt.date, district: object) -> Path:
    part = _path_part(district, UNKNOWN_DISTRICT)
    return worklist_dir(out_dir, list_date) / f"{DISTRICT_PREFIX}{part}.xlsx"


@dataclass(frozen=True)
class EhrWorklistFile:
    """One written workbook: ``kind`` is ``institution`` or ``district``; ``rows`` counts the
    rows of each sheet (resolved rows included)."""

    path: Path
    kind: str
    code: str | None
    rows: dict[str, int] = field(default_factory=dict)


def _codes(value: object) -> list[str]:
    text = _text(value)
    return [] if text is None else [part.strip() for part in text.split(";") if part.strip()]


def _key(value: object) -> str | None:
    return _text(value)


def _sorted(frame: pd.DataFrame, *columns: str, ascending: tuple[bool, ...] = ()) -> pd.DataFrame:
    order = frame["change_since_previous"].map(CHANGE_ORDER).fillna(9)
    return (
        frame.assign(_change=order)
        .sort_values(["_change", *columns], ascending=[True, *ascending], na_position="last")
        .drop(columns="_change")
    )


class _Names:
    """Registry names at the list date: institutions, teams, districts (codes when unknown)."""

    def __init__(self, data: HealthRecordsData, list_date: dt.date) -> None:
        self.institutions = institution_names(data, list_date)
        self.teams = team_names(data, list_date)
        self.districts = district_names(data.results)

    def institution(self, code: object, with_code: bool = True) -> str | None:
        text = _text(code)
        if text is None:
            return None
        name = self.institutions.get(text)
        if name is None:
            return text
        return f"{name}（{text}）" if with_code else name

    def team(self, code: object, institution: object = None) -> str | None:
        text = _text(code)
        if text is None:
            return None
        name = self.teams.get(text)
        if name:
            return name
        inst = _text(institution)
        return text[len(inst) + 1 :] if inst and text.startswith(f"{inst}-") else text

    def place(self, institution: object, team: object, no_team: str) -> str | None:
        where = self.institution(institution)
        if where is None:
            return None
        return f"{where}／{self.team(team, institution) or no_team}"

    def district(self, code: object) -> str | None:
        text = _text(code)
        return None if text is None else self.districts.get(text, text)


def _transfer_values(row: Record, person: Record, names: _Names) -> list[object]:
    return [
        _text(row["record_no"]),
        _text(person.get("id_number")),
        _text(person.get("name")),
        _text(row["transfer_class"]),
        names.place(row["managing_institution_code"], row["managing_team_code"], "（无团队）"),
        names.place(row["expected_institution_code"], row["expected_team_code"], "（无应管团队）"),
        _text(row["open_request_no"]),
        _int(row["open_request_age_days"]),
        CHANGE_LABELS.get(str(row["change_since_previous"]), _text(row["change_since_previous"])),
    ]


def _duplicate_values(row: Record, person: Record, names: _Names) -> list[object]:
    institutions = [names.institution(code) or code for code in _codes(row["institution_codes"])]
    return [
        _text(person.get("id_number")),
        _text(person.get("name")),
        _int(row["record_count"]),
        "；".join(_codes(row["record_nos"])),
        "；".join(institutions),
        CHANGE_LABELS.get(str(row["change_since_previous"]), _text(row["change_since_previous"])),
    ]


def _stale_values(row: Record, person: Record, names: _Names) -> list[object]:
    reason = _text(row["stale_reason"])
    return [
        _text(row["record_no"]),
        _text(person.get("id_number")),
        _text(person.get("name")),
        None if reason is None else STALE_REASONS.get(reason, reason),
        names.institution(row["managing_institution_code"]),
        CHANGE_LABELS.get(str(row["change_since_previous"]), _text(row["change_since_previous"])),
    ]


def _escalation_values(row: Record, person: Record, names: _Names, district: str) -> list[object]:
    roles = []
    if _text(row["from_district_code"]) == district:
        roles.append("迁出")
    if _text(row["to_district_code"]) == district:
        roles.append("迁入")
    flagged = row["is_escalated_flag"]
    return [
        _text(row["request_no"]),
        _text(row["record_no"]),
        _text(person.get("id_number")),
        _text(person.get("name")),
        names.institution(row["from_institution_code"]),
        names.district(row["from_district_code"]),
        names.institution(row["to_institution_code"]),
        names.district(row["to_district_code"]),
        "、".join(roles) or None,
        _int(row["age_days"]),
        None if is_missing(flagged) else bool(flagged),
        CHANGE_LABELS.get(str(row["change_since_previous"]), _text(row["change_since_previous"])),
    ]


def _workbook(path: Path, title: str) -> tuple[xlsxwriter.Workbook, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".xlsx.tmp")
    book = xlsxwriter.Workbook(
        str(tmp),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    book.set_properties({"title": title, "subject": "内部资料，含个人信息，仅限责任单位使用"})
    return book, tmp


def _header(sheet: _Sheet, text: str) -> None:
    sheet.sheet.set_header(f"&L{text}{CONFIDENTIAL}")


class _Lists:
    """The four lists of one list date, with the lookups the workbooks need."""

    def __init__(self, data: HealthRecordsData, list_date: dt.date) -> None:
        def on(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["list_date"] == list_date]

        self.list_date = list_date
        self.previous = previous_list_date(data, list_date)
        self.transfers = _sorted(
            on(data.transfers).assign(
                _class=lambda f: f["transfer_class"].map(CLASS_ORDER).fillna(9)
            ),
            "_class",
            "open_request_age_days",
            "record_no",
            ascending=(True, False, True),
        ).drop(columns="_class")
        self.escalations = _sorted(
            on(data.escalations), "age_days", "request_no", ascending=(False, True)
        )
        self.duplicates = _sorted(on(data.duplicates), "person_key", ascending=(True,))
        self.stale = _sorted(on(data.stale), "stale_reason", "record_no", ascending=(True, True))
        self.names = _Names(data, list_date)
        # an institution's district: the transfer list's, else the registry's at the list date
        districts: dict[str, str] = {}
        for row in data.institutions.to_dict("records"):
            code, district = _text(row["institution_code"]), _text(row["district_code"])
            starts, ends = row["valid_from"], row["valid_to"]
            in_force = (is_missing(starts) or starts <= list_date) and (
                is_missing(ends) or list_date < ends
            )
            if code and district and (in_force or code not in districts):
                districts[code] = district
        for code, district in zip(
            self.transfers["managing_institution_code"],
            self.transfers["managing_district_code"],
            strict=True,
        ):
            if _text(code) and _text(district):
                districts[str(code)] = str(district)
        self.institution_districts = districts

    def person_keys(self) -> set[str]:
        keys: set[str] = set()
        for frame in (self.transfers, self.escalations, self.duplicates, self.stale):
            keys |= {str(k) for k in frame["person_key"].dropna()}
        return keys

    def duplicates_of(self, institution: str | None) -> pd.DataFrame:
        held = self.duplicates["institution_codes"].map(
            lambda v: (institution in _codes(v)) if institution else not _codes(v)
        )
        return self.duplicates[held.astype(bool)]

    def institutions(self) -> list[str | None]:
        codes: set[str | None] = {_key(c) for c in self.transfers["managing_institution_code"]}
        codes |= {_key(c) for c in self.stale["managing_institution_code"]}
        for value in self.duplicates["institution_codes"]:
            codes |= set(_codes(value)) or {None}
        return sorted(codes, key=lambda c: (c is None, c or ""))

    def district_of(self, institution: str | None) -> str:
        if institution is None:
            return UNKNOWN_DISTRICT
        return self.institution_districts.get(institution, UNKNOWN_DISTRICT)

    def districts(self) -> list[str]:
        codes = {self.district_of(i) for i in self.institutions()}
        for column in ("from_district_code", "to_district_code"):
            codes |= {_text(c) or UNKNOWN_DISTRICT for c in self.escalations[column]}
        return sorted(codes, key=lambda c: (c == UNKNOWN_DISTRICT, c))


def _mine(frame: pd.DataFrame, column: str, code: str | None) -> pd.DataFrame:
    if code is None:
        return frame[frame[column].isna()]
    return frame[(frame[column] == code).fillna(False).astype(bool)]


def _write_institution(
    lists: _Lists, people: dict[str, Record], out: Path, institution: str | None
) -> EhrWorklistFile:
    path = institution_worklist_path(out, lists.list_date, institution)
    names = lists.names
    label = names.institution(institution, with_code=False) or "（无管理机构）"
    compared = f"，与上期 {lists.previous} 比较" if lists.previous else ""
    book, tmp = _workbook(path, f"健康档案工作清单 {label} {lists.list_date}")

    def person(row: Record) -> Record:
        return people.get(str(row["person_key"]), {})

    transfers = _mine(lists.transfers, "managing_institution_code", institution)
    sheet = _Sheet(book, "迁档清单", TRANSFER_HEADERS)
    for row in transfers.to_dict("records"):
        sheet.add(_transfer_values(row, person(row), names))
    sheet.finish((16, 21, 12, 9, 44, 44, 16, 9, 10))
    _header(sheet, f"{label} 迁档清单（清单日期 {lists.list_date}{compared}）")

    duplicates = lists.duplicates_of(institution)
    dup_sheet = _Sheet(book, "重复档案", DUPLICATE_HEADERS)
    for row in duplicates.to_dict("records"):
        dup_sheet.add(_duplicate_values(row, person(row), names))
    dup_sheet.finish((21, 12, 10, 28, 60, 10))
    _header(dup_sheet, f"{label} 重复档案（清单日期 {lists.list_date}{compared}）")

    stale = _mine(lists.stale, "managing_institution_code", institution)
    stale_sheet = _Sheet(book, "失效档案", STALE_HEADERS)
    for row in stale.to_dict("records"):
        stale_sheet.add(_stale_values(row, person(row), names))
    stale_sheet.finish((16, 21, 12, 12, 44, 10))
    _header(stale_sheet, f"{label} 失效档案（清单日期 {lists.list_date}{compared}）")
    book.close()
    tmp.replace(path)
    rows = {"迁档清单": len(transfers), "重复档案": len(duplicates), "失效档案": len(stale)}
    log.info("health-record worklist %s: %s", path, rows)
    return EhrWorklistFile(path, "institution", institution, rows)


def _summary_values(lists: _Lists, institution: str | None) -> list[object]:
    transfers = _mine(lists.transfers, "managing_institution_code", institution)
    changes = transfers["change_since_previous"]
    listed = transfers[changes.isin(["new", "still_open"])]
    duplicates = lists.duplicates_of(institution)
    stale = _mine(lists.stale, "managing_institution_code", institution)

    def open_count(frame: pd.DataFrame) -> int:
        return int(frame["change_since_previous"].isin(["new", "still_open"]).sum())

    return [
        institution,
        lists.names.institution(institution, with_code=False),
        *[int((listed["transfer_class"] == label).sum()) for label in TRANSFER_CLASSES],
        len(listed),
        int((changes == "new").sum()),
        int((changes == "still_open").sum()),
        int((changes == "resolved").sum()),
        int(listed["open_request_no"].notna().sum()),
        open_count(duplicates),
        open_count(stale),
    ]


def _write_district(
    lists: _Lists, people: dict[str, Record], out: Path, district: str
) -> EhrWorklistFile:
    path = district_worklist_path(out, lists.list_date, district)
    names = lists.names
    label = names.district(district) or district
    compared = f"，与上期 {lists.previous} 比较" if lists.previous else ""
    book, tmp = _workbook(path, f"健康档案跨区域迁档协调 {label} {lists.list_date}")

    escalations = lists.escalations
    from_here = escalations["from_district_code"].fillna(UNKNOWN_DISTRICT) == district
    to_here = escalations["to_district_code"].fillna(UNKNOWN_DISTRICT) == district
    mine = escalations[(from_here | to_here).astype(bool)]
    sheet = _Sheet(book, "跨区域迁档协调", ESCALATION_HEADERS)
    for row in mine.to_dict("records"):
        sheet.add(_escalation_values(row, people.get(str(row["person_key"]), {}), names, district))
    sheet.finish((16, 16, 21, 12, 44, 10, 44, 10, 10, 9, 9, 10))
    _header(sheet, f"{label} 跨区域迁档协调（清单日期 {lists.list_date}{compared}）")

    institutions = [i for i in lists.institutions() if lists.district_of(i) == district]
    summary = _Sheet(book, "机构迁档汇总", SUMMARY_HEADERS)
    for institution in institutions:
        summary.add(_summary_values(lists, institution))
    summary.finish((21, 36, 8, 8, 8, 12, 9, 9, 10, 10, 12, 12))
    _header(summary, f"{label} 各机构工作清单汇总（清单日期 {lists.list_date}{compared}）")
    book.close()
    tmp.replace(path)
    rows = {"跨区域迁档协调": len(mine), "机构迁档汇总": len(institutions)}
    log.info("health-record district worklist %s: %s", path, rows)
    return EhrWorklistFile(path, "district", district, rows)


def write_ehr_worklists(
    data: HealthRecordsData,
    identity: pd.DataFrame,
    out_dir: str | Path,
    list_date: dt.date,
) -> list[EhrWorklistFile]:
    """Write one workbook per managing institution and one per district bureau for the lists
    of ``list_date``; return them (institutions first, then districts)."""
    out = Path(out_dir)
    lists = _Lists(data, list_date)
    people = _identity_lookup(identity)
    missing = lists.person_keys() - set(people)
    if missing:
        log.warning(
            "%s persons of the %s health-record lists have no identity row; their ID and name "
            "are blank",
            len(missing),
            list_date,
        )
    written = [_write_institution(lists, people, out, i) for i in lists.institutions()]
    written += [_write_district(lists, people, out, d) for d in lists.districts()]
    return written


def export_ehr_worklists(
    warehouse_path: str | Path,
    out_dir: str | Path,
    list_date: dt.date | None = None,
    data: HealthRecordsData | None = None,
) -> list[EhrWorklistFile]:
    """Export the health-record lists of ``list_date`` (default: the latest) from the warehouse,
    joining the identity store for the persons on them."""
    data = data or load_health_records_data(warehouse_path)
    chosen = list_date or latest_list_date(data)
    if chosen is None:
        log.info("no health-record worklist in the warehouse: no XLSX written")
        return []
    keys = _Lists(data, chosen).person_keys()
    identity = load_identity(warehouse_path, keys)
    return write_ehr_worklists(data, identity, out_dir, chosen)


__all__ = [
    "CHANGE_LABELS",
    "DUPLICATE_HEADERS",
    "ESCALATION_HEADERS",
    "STALE_HEADERS",
    "SUMMARY_HEADERS",
    "TRANSFER_HEADERS",
    "EhrWorklistFile",
    "district_worklist_path",
    "export_ehr_worklists",
    "institution_worklist_path",
    "worklist_dir",
    "write_ehr_worklists",
]
