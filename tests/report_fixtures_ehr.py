"""A small hand-made warehouse for the health-record (档随人走) report and exports.

Columns exactly as docs/health-records-chain.md. Calendar months 2026-01, 2026-02, 2026-03 and
quarter 2026Q1 (same end and numbers as March), plus the vision chain's results under
``period_basis = 'statistical_year'`` (they must be ignored). The city and three districts:
鼓楼区 (large), 云龙区 (middle) and 贾汪区 (small: its cells trip the small-cell rule). Five
institutions, one renamed on 2026-03-01. Worklists on 2026-02-28 and 2026-03-31 with new /
still open / resolved rows; some names are spreadsheet-formula attacks. Every number is written
by hand; the tests recompute what they assert from them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from tests import report_fixtures as vision

CITY = "320300"
DISTRICTS = {"320302": "鼓楼区", "320303": "云龙区", "320305": "贾汪区"}
MONTH_ENDS = {
    "2026-01": dt.date(2026, 1, 31),
    "2026-02": dt.date(2026, 2, 28),
    "2026-03": dt.date(2026, 3, 31),
}
AS_OF = dt.date(2026, 3, 31)
LIST_DATE = dt.date(2026, 3, 31)
PREVIOUS_LIST_DATE = dt.date(2026, 2, 28)
TITLE = "徐州市居民电子健康档案（档随人走）统计报告（截至2026年3月31日）"

TARGETS = {
    "EHR_COV": 90.0,
    "EHR_USE": 60.0,
    "EHR_UNIQUE": 100.0,
    "EHR_PLACED": 95.0,
    "EHR_XFER_TIMELY": 95.0,
}

INST_A = "12320302MB0000001A"  # 鼓楼区
INST_B = "12320302MB0000002B"  # 鼓楼区
INST_C = "12320303MB0000003C"  # 云龙区
INST_D = "12320303MB0000004D"  # 云龙区, renamed on 2026-03-01
INST_E = "12320305MB0000005E"  # 贾汪区
INSTITUTIONS = {
    INST_A: ("鼓楼区环城街道社区卫生服务中心", "320302"),
    INST_B: ("鼓楼区丰财街道社区卫生服务中心", "320302"),
    INST_C: ("云龙区彭城街道社区卫生服务中心", "320303"),
    INST_D: ("云龙区大郭庄街道社区卫生服务中心", "320303"),
    INST_E: ("贾汪区老矿街道社区卫生服务中心", "320305"),
}
INST_D_OLD_NAME = "云龙区大郭庄卫生院"
TEAMS = {
    f"{INST_A}-T01": (INST_A, "环城全科一团队"),
    f"{INST_A}-T02": (INST_A, "环城全科二团队"),
    f"{INST_B}-T01": (INST_B, "丰财全科团队"),
    f"{INST_C}-T01": (INST_C, "彭城全科团队"),
    f"{INST_D}-T01": (INST_D, "大郭庄一团队"),
    f"{INST_D}-T02": (INST_D, "大郭庄二团队"),
    f"{INST_E}-T01": (INST_E, "老矿全科团队"),
}

# (indicator, level, unit_code, district_code) -> (numerator, denominator) for 2026-03 (and Q1)
MARCH: dict[tuple[str, str, str, str], tuple[int, int]] = {
    ("EHR_COV", "city", CITY, CITY): (1530, 1709),
    ("EHR_COV", "district", "320302", "320302"): (1000, 1100),
    ("EHR_COV", "district", "320303", "320303"): (522, 600),
    ("EHR_COV", "district", "320305", "320305"): (8, 9),
    ("EHR_USE", "city", CITY, CITY): (900, 1600),
    ("EHR_USE", "district", "320302", "320302"): (620, 1000),
    ("EHR_USE", "district", "320303", "320303"): (277, 592),
    ("EHR_USE", "district", "320305", "320305"): (3, 8),
    ("EHR_USE", "institution", INST_A, "320302"): (400, 600),
    ("EHR_USE", "institution", INST_B, "320302"): (220, 400),
    ("EHR_USE", "institution", INST_C, "320303"): (200, 400),
    ("EHR_USE", "institution", INST_D, "320303"): (77, 192),
    ("EHR_USE", "institution", INST_E, "320305"): (3, 8),
    ("EHR_UNIQUE", "city", CITY, CITY): (1500, 1530),
    ("EHR_UNIQUE", "district", "320302", "320302"): (985, 1000),
    ("EHR_UNIQUE", "district", "320303", "320303"): (507, 522),
    ("EHR_UNIQUE", "district", "320305", "320305"): (8, 8),
    ("EHR_PLACED", "city", CITY, CITY): (1480, 1560),
    ("EHR_PLACED", "district", "320302", "320302"): (980, 1020),
    ("EHR_PLACED", "district", "320303", "320303"): (492, 531),
    ("EHR_PLACED", "district", "320305", "320305"): (8, 9),
    ("EHR_PLACED", "institution", INST_A, "320302"): (590, 610),
    ("EHR_PLACED", "team", f"{INST_A}-T01", "320302"): (300, 310),
    ("EHR_XFER_TIMELY", "city", CITY, CITY): (70, 80),
    ("EHR_XFER_TIMELY", "district", "320302", "320302"): (45, 48),
    ("EHR_XFER_TIMELY", "district", "320303", "320303"): (23, 28),
    ("EHR_XFER_TIMELY", "district", "320305", "320305"): (2, 4),
    ("EHR_XFER_TIMELY", "institution", INST_A, "320302"): (28, 29),
    ("EHR_XFER_TIMELY", "institution", INST_B, "320302"): (17, 19),
    ("EHR_XFER_TIMELY", "institution", INST_C, "320303"): (14, 16),
    ("EHR_XFER_TIMELY", "institution", INST_D, "320303"): (9, 12),
    ("EHR_XFER_TIMELY", "institution", INST_E, "320305"): (2, 4),
}
#: institutions by EHR_XFER_TIMELY in March, lowest first (贾汪 withheld: denominator 4)
SLOWEST_FIRST = [INST_D, INST_C, INST_B, INST_A]

# EHR_COV month by month (the trend): unit -> [(numerator, denominator)] Jan, Feb, Mar
COV_MONTHS: dict[str, list[tuple[int, int]]] = {
    CITY: [(1480, 1700), (1505, 1705), (1530, 1709)],
    "320302": [(970, 1095), (985, 1098), (1000, 1100)],
    "320303": [(503, 596), (512, 598), (522, 600)],
    "320305": [(7, 9), (8, 9), (8, 9)],
}

MALICIOUS_NAMES = vision.MALICIOUS_NAMES

# person: key, ID number, name, sex, birth date
PERSONS: list[tuple[str, str, str, str, dt.date]] = [
    ("ek01", "320302198001010011", "周建国", "1", dt.date(1980, 1, 1)),
    ("ek02", "32030219750515002X", "吴秀英", "2", dt.date(1975, 5, 15)),
    ("ek03", "320303196908080033", MALICIOUS_NAMES[0], "1", dt.date(1969, 8, 8)),
    ("ek04", "320303199002020044", MALICIOUS_NAMES[1], "2", dt.date(1990, 2, 2)),
    ("ek05", "320305198511110055", MALICIOUS_NAMES[2], "1", dt.date(1985, 11, 11)),
    ("ek06", "320302199203030066", MALICIOUS_NAMES[3], "2", dt.date(1992, 3, 3)),
    ("ek07", "320305195812120077", MALICIOUS_NAMES[4], "1", dt.date(1958, 12, 12)),
    ("ek08", "320303196601010088", "郑国强", "1", dt.date(1966, 1, 1)),
    ("ek09", "320305197004040099", "冯桂兰", "2", dt.date(1970, 4, 4)),
    ("ek10", "320302198805050101", "陈志明", "1", dt.date(1988, 5, 5)),
    ("ek11", "320303199105060112", "褚丽华", "2", dt.date(1991, 5, 6)),
    ("ek12", "320302194505070123", "卫德胜", "1", dt.date(1945, 5, 7)),
    ("ek13", "320302193005080134", "蒋老太", "2", dt.date(1930, 5, 8)),
    ("ek14", "320303200005090145", "沈一帆", "1", dt.date(2000, 5, 9)),
    ("ek15", "320305199905100156", "韩雪梅", "2", dt.date(1999, 5, 10)),
    ("ek16", "320302199605110167", "杨晓东", "1", dt.date(1996, 5, 11)),
    ("ek99", "320302198001010999", "不在清单", "1", dt.date(1980, 1, 1)),  # on no list
]

# 迁档清单: list date, record, person, class, managing inst, managing team, expected inst,
# expected team, open request, age days, change
Transfer = tuple[
    dt.date, str, str, str, str, str | None, str, str | None, str | None, int | None, str
]
TRANSFERS: list[Transfer] = [
    # previous list (2026-02-28)
    (PREVIOUS_LIST_DATE, "R001", "ek01", "机构内", INST_A, f"{INST_A}-T01", INST_A,
     f"{INST_A}-T02", None, None, "new"),
    (PREVIOUS_LIST_DATE, "R003", "ek03", "跨区域", INST_A, None, INST_C, None, "Q002", 19,
     "new"),
    (PREVIOUS_LIST_DATE, "R005", "ek05", "区域内", INST_C, None, INST_D, None, None, None,
     "new"),
    (PREVIOUS_LIST_DATE, "R007", "ek07", "跨区域", INST_E, None, INST_A, None, "Q004", 2,
     "new"),
    # this list (2026-03-31)
    (LIST_DATE, "R001", "ek01", "机构内", INST_A, f"{INST_A}-T01", INST_A, f"{INST_A}-T02",
     None, None, "still_open"),
    (LIST_DATE, "R002", "ek02", "区域内", INST_B, f"{INST_B}-T01", INST_A, None, "Q001", 10,
     "new"),
    (LIST_DATE, "R003", "ek03", "跨区域", INST_A, None, INST_C, None, "Q002", 50,
     "still_open"),
    (LIST_DATE, "R004", "ek04", "跨区域", INST_C, None, INST_E, f"{INST_E}-T01", "Q003", 3,
     "new"),
    (LIST_DATE, "R005", "ek05", "区域内", INST_C, None, INST_D, None, None, None, "resolved"),
    (LIST_DATE, "R006", "ek06", "机构内", INST_D, f"{INST_D}-T01", INST_D, f"{INST_D}-T02",
     None, None, "new"),
    (LIST_DATE, "R007", "ek07", "跨区域", INST_E, None, INST_A, None, "Q004", 31,
     "still_open"),
]  # fmt: skip

# 跨区域迁档协调: list date, request, record, person, from inst, to inst, age, flagged, change
ESCALATIONS: list[tuple[dt.date, str, str, str, str, str, int, bool, str]] = [
    (PREVIOUS_LIST_DATE, "Q002", "R003", "ek03", INST_A, INST_C, 19, False, "new"),
    (PREVIOUS_LIST_DATE, "Q006", "R009", "ek09", INST_B, INST_E, 25, False, "new"),
    (LIST_DATE, "Q002", "R003", "ek03", INST_A, INST_C, 50, False, "still_open"),
    (LIST_DATE, "Q004", "R007", "ek07", INST_E, INST_A, 31, False, "new"),
    (LIST_DATE, "Q005", "R008", "ek08", INST_C, INST_A, 5, True, "new"),
    (LIST_DATE, "Q006", "R009", "ek09", INST_B, INST_E, 25, False, "resolved"),
]

# 重复档案: list date, person, record numbers, institutions, change
DUPLICATES: list[tuple[dt.date, str, list[str], list[str], str]] = [
    (PREVIOUS_LIST_DATE, "ek10", ["R010", "R011"], [INST_A, INST_B], "new"),
    (PREVIOUS_LIST_DATE, "ek12", ["R014", "R015"], [INST_A, INST_D], "new"),
    (LIST_DATE, "ek10", ["R010", "R011"], [INST_A, INST_B], "still_open"),
    (LIST_DATE, "ek11", ["R012", "R013"], [INST_C], "new"),
    (LIST_DATE, "ek12", ["R014", "R015"], [INST_A, INST_D], "resolved"),
]

# 失效档案: list date, record, person, managing inst, reason, change
STALE: list[tuple[dt.date, str, str, str, str, str]] = [
    (PREVIOUS_LIST_DATE, "R021", "ek14", INST_C, "not_resident", "new"),
    (PREVIOUS_LIST_DATE, "R022", "ek15", INST_E, "not_in_population", "new"),
    (LIST_DATE, "R020", "ek13", INST_A, "dead", "new"),
    (LIST_DATE, "R021", "ek14", INST_C, "not_resident", "still_open"),
    (LIST_DATE, "R022", "ek15", INST_E, "not_in_population", "resolved"),
    (LIST_DATE, "R023", "ek16", INST_A, "not_in_population", "new"),
]

REGISTRY = [
    ("EHR_COV", "电子健康档案建档率", "期末常住人口中有至少一份有效电子健康档案者所占比例",
     "分母中有至少一份有效档案的人数", "期末常住人口数（按区县）"),
    ("EHR_USE", "健康档案使用率（动态使用率）", "期末有效档案中365天内有动态记录者所占比例",
     "分母中365天内有动态记录的档案数", "期末有效档案数（按管理机构）"),
    ("EHR_UNIQUE", "一人一档率", "有有效档案的常住人口中恰有一份有效档案者所占比例",
     "恰有一份有效档案的常住人数", "有至少一份有效档案的常住人数"),
    ("EHR_PLACED", "档案归属正确率", "常住居民的有效档案中由应管机构及应管团队管理者所占比例",
     "由应管机构及应管团队管理的有效档案数", "期末常住居民的有效档案数（按居民区县）"),
    ("EHR_XFER_TIMELY", "迁档申请及时回复率", "到期的迁档申请中7天内回复者所占比例",
     "分母中7天内回复的申请数", "申请日期加7天落在统计期内的迁档申请数（按迁出机构）"),
]  # fmt: skip


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(100 * numerator / denominator, 2)


def _unit_name(level: str, unit: str) -> str:
    if level == "city":
        return "徐州市"
    if level == "district":
        return DISTRICTS[unit]
    if level == "institution":
        return INSTITUTIONS[unit][0]
    return TEAMS[unit][1]


def _row(
    code: str,
    key: tuple[str, str, str, str],
    period: tuple[str, str, dt.date, dt.date],
    counts: tuple[int, int],
) -> dict[str, object]:
    _, level, unit, district = key
    period_type, label, start, end = period
    rate = _rate(*counts)
    target = TARGETS[code]
    return {
        "indicator_code": code,
        "period_type": period_type,
        "period_label": label,
        "statistical_year": None,
        "period_start": start,
        "period_end": end,
        "level": level,
        "unit_code": unit,
        "unit_name": _unit_name(level, unit),
        "district_code": district,
        "numerator": counts[0],
        "denominator": counts[1],
        "rate": rate,
        "target": target,
        "direction": "higher_is_better",
        "target_met": None if rate is None else rate >= target,
        "period_basis": "calendar",
    }


def _earlier(counts: tuple[int, int], month: int) -> tuple[int, int]:
    """January and February of the indicators other than EHR_COV: a little lower."""
    numerator, denominator = counts
    return max(0, numerator - (2 - month) * max(1, numerator // 50)), denominator


def ehr_results() -> pd.DataFrame:
    periods = [
        ("month", label, end.replace(day=1), end, i)
        for i, (label, end) in enumerate(MONTH_ENDS.items())
    ]
    periods.append(("quarter", "2026Q1", dt.date(2026, 1, 1), MONTH_ENDS["2026-03"], 2))
    rows = []
    for period_type, label, start, end, month in periods:
        for key, counts in MARCH.items():
            code = key[0]
            if code == "EHR_COV":
                here = COV_MONTHS[key[2]][month]
            else:
                here = counts if month == 2 else _earlier(counts, month)
            rows.append(_row(code, key, (period_type, label, start, end), here))
    return pd.DataFrame(rows)


def indicator_results() -> pd.DataFrame:
    """Both chains, as the warehouse's union holds them."""
    vision_rows = vision.indicator_results().assign(period_basis="statistical_year")
    return pd.concat([vision_rows, ehr_results()], ignore_index=True)


def registry() -> pd.DataFrame:
    rows = [
        {
            "indicator_code": code,
            "name_zh": name,
            "definition_zh": definition,
            "numerator_zh": numerator,
            "denominator_zh": denominator,
            "unit": "%",
            "target": TARGETS[code],
            "direction": "higher_is_better",
            "period_basis": "calendar",
            "levels": "city;district",
            "source_document": "徐州市指标定义第1版（indicators.md）",
        }
        for code, name, definition, numerator, denominator in REGISTRY
    ]
    return pd.concat([vision.registry(), pd.DataFrame(rows)], ignore_index=True)


def _district(institution: str) -> str:
    return INSTITUTIONS[institution][1]


def transfers() -> pd.DataFrame:
    rows = []
    for date, rec, person, cls, inst, team, exp, exp_team, req, age, change in TRANSFERS:
        rows.append(
            {
                "list_date": date,
                "record_no": rec,
                "person_key": person,
                "transfer_class": cls,
                "managing_institution_code": inst,
                "managing_team_code": team,
                "expected_institution_code": exp,
                "expected_team_code": exp_team,
                "managing_district_code": _district(inst),
                "expected_district_code": _district(exp),
                "open_request_no": req,
                "open_request_age_days": age,
                "change_since_previous": change,
            }
        )
    return pd.DataFrame(rows)


def escalations() -> pd.DataFrame:
    rows = []
    for date, req, rec, person, src, dst, age, flagged, change in ESCALATIONS:
        rows.append(
            {
                "list_date": date,
                "request_no": req,
                "record_no": rec,
                "person_key": person,
                "from_institution_code": src,
                "from_district_code": _district(src),
                "to_institution_code": dst,
                "to_district_code": _district(dst),
                "age_days": age,
                "is_escalated_flag": flagged,
                "change_since_previous": change,
            }
        )
    return pd.DataFrame(rows)


def duplicates() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "list_date": date,
                "person_key": person,
                "record_count": len(records),
                "record_nos": ";".join(records),
                "institution_codes": ";".join(institutions),
                "change_since_previous": change,
            }
            for date, person, records, institutions, change in DUPLICATES
        ]
    )


def stale() -> pd.DataFrame:
    return pd.DataFrame(
        STALE,
        columns=[
            "list_date",
            "record_no",
            "person_key",
            "managing_institution_code",
            "stale_reason",
            "change_since_previous",
        ],
    )


def institutions() -> pd.DataFrame:
    rows = []
    for code, (name, district) in INSTITUTIONS.items():
        spans = [(dt.date(2025, 12, 31), dt.date(1900, 1, 1), None, name)]
        if code == INST_D:
            spans = [
                (dt.date(2025, 12, 31), dt.date(1900, 1, 1), dt.date(2026, 3, 1), INST_D_OLD_NAME),
                (dt.date(2026, 3, 1), dt.date(2026, 3, 1), None, name),
            ]
        for snapshot, start, end, label in spans:
            rows.append(
                {
                    "institution_code": code,
                    "institution_name": label,
                    "institution_category": "B",
                    "district_code": district,
                    "active_flag": "1",
                    "sender_code": code,
                    "snapshot_date": snapshot,
                    "valid_to": end,
                    "is_active": True,
                    "valid_from": start,
                }
            )
    return pd.DataFrame(rows)


def teams() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "team_code": code,
                "institution_code": inst,
                "team_name": name,
                "active_flag": "1",
                "sender_code": inst,
                "snapshot_date": dt.date(2025, 12, 31),
                "valid_to": None,
                "is_active": True,
                "valid_from": dt.date(1900, 1, 1),
            }
            for code, (inst, name) in TEAMS.items()
        ]
    )


def identity_persons() -> pd.DataFrame:
    return pd.DataFrame(
        PERSONS, columns=["person_key", "id_number", "name", "sex_code", "birth_date"]
    )


_DDL = {
    "indicators.indicator_results": vision._DDL["indicators.indicator_results"]
    + ", period_basis varchar",
    "indicators.indicator_registry": vision._DDL["indicators.indicator_registry"],
    "worklists.wl_ehr_transfers": """
        list_date date, record_no varchar, person_key varchar, transfer_class varchar,
        managing_institution_code varchar, managing_team_code varchar,
        expected_institution_code varchar, expected_team_code varchar,
        managing_district_code varchar, expected_district_code varchar,
        open_request_no varchar, open_request_age_days integer,
        change_since_previous varchar""",
    "worklists.wl_ehr_escalations": """
        list_date date, request_no varchar, record_no varchar, person_key varchar,
        from_institution_code varchar, from_district_code varchar,
        to_institution_code varchar, to_district_code varchar, age_days integer,
        is_escalated_flag boolean, change_since_previous varchar""",
    "worklists.wl_ehr_duplicates": """
        list_date date, person_key varchar, record_count integer, record_nos varchar,
        institution_codes varchar, change_since_previous varchar""",
    "worklists.wl_ehr_stale": """
        list_date date, record_no varchar, person_key varchar,
        managing_institution_code varchar, stale_reason varchar,
        change_since_previous varchar""",
    "intermediate.int_institutions_as_of": """
        institution_code varchar, institution_name varchar, institution_category varchar,
        district_code varchar, active_flag varchar, sender_code varchar, snapshot_date date,
        valid_to date, is_active boolean, valid_from date""",
    "intermediate.int_teams_as_of": """
        team_code varchar, institution_code varchar, team_name varchar, active_flag varchar,
        sender_code varchar, snapshot_date date, valid_to date, is_active boolean,
        valid_from date""",
    "identity.identity_persons": vision._DDL["identity.identity_persons"],
}


def build_ehr_warehouse(path: Path, skip: tuple[str, ...] = ()) -> Path:
    """Write the fixture tables into a new DuckDB file (``skip``: tables to leave out)."""
    frames = {
        "indicators.indicator_results": indicator_results(),
        "indicators.indicator_registry": registry(),
        "worklists.wl_ehr_transfers": transfers(),
        "worklists.wl_ehr_escalations": escalations(),
        "worklists.wl_ehr_duplicates": duplicates(),
        "worklists.wl_ehr_stale": stale(),
        "intermediate.int_institutions_as_of": institutions(),
        "intermediate.int_teams_as_of": teams(),
        "identity.identity_persons": identity_persons(),
    }
    con = duckdb.connect(str(path))
    try:
        for schema in ("indicators", "worklists", "identity", "intermediate"):
            con.execute(f"create schema if not exists {schema}")
        for table, frame in frames.items():
            if table in skip:
                continue
            con.execute(f"create table {table} ({_DDL[table]})")
            con.register("frame", frame)
            con.execute(f"insert into {table} by name select * from frame")
            con.unregister("frame")
    finally:
        con.close()
    return path


def ehr_warehouse_path(tmp_path: Path) -> Path:
    """Build the fixture warehouse under ``tmp_path`` and return its path."""
    return build_ehr_warehouse(tmp_path / "warehouse.duckdb")


def march(code: str, unit: str, level: str | None = None) -> tuple[int, int]:
    """The hand-written (numerator, denominator) of one indicator and unit for 2026-03."""
    for key, counts in MARCH.items():
        if key[0] == code and key[2] == unit and (level is None or key[1] == level):
            return counts
    raise KeyError((code, unit))
