"""A small hand-made warehouse with exactly the columns of docs/vision-chain.md, for reports tests.

Statistical year 2026 (1 Oct 2025 – 30 Sep 2026), evaluated up to 31 Dec 2025: months 2025-10,
2025-11, 2025-12 and quarter 2026Q1 (same end date as 2025-12, same numbers). The city and three
districts: 鼓楼区 (large), 云龙区 (middle) and 贾汪区 (small: its cells trip the small-cell
rule). Every number below is written by hand; the tests recompute what they assert from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

CITY = ("320300", "徐州市")
DISTRICTS = {"320302": "鼓楼区", "320303": "云龙区", "320305": "贾汪区"}
STAT_YEAR = 2026
YEAR_START = dt.date(2025, 10, 1)
MONTH_ENDS = {
    "2025-10": dt.date(2025, 10, 31),
    "2025-11": dt.date(2025, 11, 30),
    "2025-12": dt.date(2025, 12, 31),
}
AS_OF = dt.date(2025, 12, 31)

TARGETS: dict[str, float | None] = {
    "VIS_COV": 90.0,
    "VIS_POOR_6": None,
    "VIS_FOLLOWUP": 90.0,
    "VIS_KG_COV": 90.0,
    "VIS_SCHOOL_LINK": 95.0,
}

# (indicator, level, unit_code, unit_name, district_code) -> (numerator, denominator) at 2025-12-31
FINAL: dict[tuple[str, str, str, str, str], tuple[int, int]] = {
    ("VIS_COV", "city", "320300", "徐州市", "320300"): (638, 709),
    ("VIS_COV", "district", "320302", "鼓楼区", "320302"): (460, 500),
    ("VIS_COV", "district", "320303", "云龙区", "320303"): (170, 200),
    ("VIS_COV", "district", "320305", "贾汪区", "320305"): (8, 9),
    ("VIS_POOR_6", "city", "320300", "徐州市", "320300"): (15, 126),
    ("VIS_POOR_6", "district", "320302", "鼓楼区", "320302"): (12, 80),
    ("VIS_POOR_6", "district", "320303", "云龙区", "320303"): (3, 40),
    ("VIS_POOR_6", "district", "320305", "贾汪区", "320305"): (0, 6),
    ("VIS_FOLLOWUP", "city", "320300", "徐州市", "320300"): (65, 78),
    ("VIS_FOLLOWUP", "district", "320302", "鼓楼区", "320302"): (45, 50),
    ("VIS_FOLLOWUP", "district", "320303", "云龙区", "320303"): (18, 25),
    ("VIS_FOLLOWUP", "district", "320305", "贾汪区", "320305"): (2, 3),
    ("VIS_KG_COV", "city", "320300", "徐州市", "320300"): (232, 268),
    ("VIS_KG_COV", "district", "320302", "鼓楼区", "320302"): (188, 210),
    ("VIS_KG_COV", "district", "320303", "云龙区", "320303"): (40, 50),
    ("VIS_KG_COV", "district", "320305", "贾汪区", "320305"): (4, 8),
    ("VIS_KG_COV", "kindergarten", "1030200000", "华宁南新幼儿园", "320302"): (118, 120),
    ("VIS_KG_COV", "kindergarten", "1030200001", "岭丰阳楼幼儿园", "320302"): (70, 90),
    ("VIS_KG_COV", "kindergarten", "1030300002", "湾中口和幼儿园", "320303"): (40, 50),
    ("VIS_KG_COV", "kindergarten", "1030500003", "贾汪镇中心幼儿园", "320305"): (4, 8),
    ("VIS_SCHOOL_LINK", "city", "320300", "徐州市", "320300"): (147, 158),
    ("VIS_SCHOOL_LINK", "district", "320302", "鼓楼区", "320302"): (96, 100),
    ("VIS_SCHOOL_LINK", "district", "320303", "云龙区", "320303"): (50, 55),
    ("VIS_SCHOOL_LINK", "district", "320305", "贾汪区", "320305"): (1, 1),
    ("VIS_SCHOOL_LINK", "district", "unknown", "未知区县", "unknown"): (0, 2),
    ("VIS_SCHOOL_LINK", "school", "2030200000", "华宁中心小学", "320302"): (96, 100),
}

# VIS_COV month by month (the trend chart): unit -> [(numerator, denominator)] Oct, Nov, Dec
COV_MONTHS: dict[str, list[tuple[int, int]]] = {
    "320300": [(202, 702), (425, 706), (638, 709)],
    "320302": [(150, 495), (310, 498), (460, 500)],
    "320303": [(50, 198), (110, 199), (170, 200)],
    "320305": [(2, 9), (5, 9), (8, 9)],
}

# VIS_POOR_6 by sex at 2025-12-31: (unit_code, sex_code) -> (numerator, denominator)
POOR_6_BY_SEX: dict[tuple[str, str], tuple[int, int]] = {
    ("320300", "1"): (9, 68),
    ("320300", "2"): (6, 58),
    ("320302", "1"): (7, 42),
    ("320302", "2"): (5, 38),
    ("320303", "1"): (2, 22),
    ("320303", "2"): (1, 18),
    ("320305", "1"): (0, 4),
    ("320305", "2"): (0, 2),
}

INST_GULOU = "12320302MB1234567A"
INST_YUNLONG = "12320303MB7654321B"
INST_JIAWANG = "12320305MB1111111C"
TEAM_GULOU = f"{INST_GULOU}-T01"
TEAM_YUNLONG = f"{INST_YUNLONG}-T02"
# registry names as the worklist carries them (not personal data); 贾汪 has no name in the
# registry (the reports fall back to the code)
INSTITUTION_NAMES = {
    INST_GULOU: "鼓楼区华宁社区卫生服务中心",
    INST_YUNLONG: "云龙区湾中社区卫生服务中心",
}
TEAM_NAMES = {TEAM_GULOU: "华宁家庭医生一队", TEAM_YUNLONG: "湾中家庭医生二队"}
KINDERGARTEN_NAMES = {"1030200000": "华宁南新幼儿园", "1030300002": "湾中口和幼儿园"}

MALICIOUS_NAMES = (
    '=HYPERLINK("http://evil.example/x","点我")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1",
)

# person: key, ID number, name, sex, birth date
PERSONS: list[tuple[str, str, str, str, dt.date]] = [
    ("pk01", "320302202001010011", "张小明", "1", dt.date(2020, 1, 1)),
    ("pk02", "32030220190515002X", "李小红", "2", dt.date(2019, 5, 15)),
    ("pk03", "320303201908080033", MALICIOUS_NAMES[0], "1", dt.date(2019, 8, 8)),
    ("pk04", "320303202002020044", MALICIOUS_NAMES[1], "2", dt.date(2020, 2, 2)),
    ("pk05", "320305201911110055", MALICIOUS_NAMES[2], "1", dt.date(2019, 11, 11)),
    ("pk06", "320302202003030066", MALICIOUS_NAMES[3], "2", dt.date(2020, 3, 3)),
    ("pk07", "320302201812120077", "王小刚", "1", dt.date(2018, 12, 12)),
    ("pk08", "320303201901010088", "赵小丽", "2", dt.date(2019, 1, 1)),
    ("pk09", "320305202004040099", MALICIOUS_NAMES[4], "1", dt.date(2020, 4, 4)),
    ("pk10", "320302202005050101", "孙一一", "1", dt.date(2020, 5, 5)),
    ("pk11", "320302202005060112", "孙二二", "2", dt.date(2020, 5, 6)),
    ("pk12", "320302202005070123", "孙三三", "1", dt.date(2020, 5, 7)),
    ("pk13", "320302202005080134", "孙四四", "2", dt.date(2020, 5, 8)),
    ("pk14", "320302202005090145", "孙五五", "1", dt.date(2020, 5, 9)),
    ("pk15", "320302202005100156", "孙六六", "2", dt.date(2020, 5, 10)),
    ("pk99", "320302201801010999", "不在清单", "1", dt.date(2018, 1, 1)),  # on no list
]

LIST_DATE = dt.date(2025, 12, 31)
PREVIOUS_LIST_DATE = dt.date(2025, 11, 30)

# 干预清单 at 2025-12-31: person, flag date, reason, days overdue, team, institution, district,
# kindergarten, new on list
DEC_LIST: list[tuple[str, dt.date, str, int, str | None, str | None, str | None, str | None, bool]]
DEC_LIST = [
    (
        "pk01",
        dt.date(2025, 10, 17),
        "poor_vision",
        45,
        TEAM_GULOU,
        INST_GULOU,
        "320302",
        "1030200000",
        False,
    ),  # noqa: E501
    ("pk02", dt.date(2025, 11, 21), "action", 10, TEAM_GULOU, INST_GULOU, "320302", None, True),
    (
        "pk06",
        dt.date(2025, 12, 1),
        "action_and_poor_vision",
        0,
        TEAM_GULOU,
        INST_GULOU,
        "320302",
        None,
        True,
    ),  # noqa: E501
    ("pk10", dt.date(2025, 11, 28), "action", 3, TEAM_GULOU, INST_GULOU, "320302", None, True),
    ("pk11", dt.date(2025, 11, 23), "action", 8, TEAM_GULOU, INST_GULOU, "320302", None, True),
    (
        "pk12",
        dt.date(2025, 11, 16),
        "poor_vision",
        15,
        TEAM_GULOU,
        INST_GULOU,
        "320302",
        None,
        True,
    ),
    ("pk13", dt.date(2025, 11, 9), "poor_vision", 22, TEAM_GULOU, INST_GULOU, "320302", None, True),
    ("pk14", dt.date(2025, 10, 31), "action", 31, TEAM_GULOU, INST_GULOU, "320302", None, False),
    ("pk15", dt.date(2025, 12, 3), "action", -2, TEAM_GULOU, INST_GULOU, "320302", None, True),
    (
        "pk03",
        dt.date(2025, 10, 2),
        "action",
        60,
        TEAM_YUNLONG,
        INST_YUNLONG,
        "320303",
        "1030300002",
        False,
    ),  # noqa: E501
    (
        "pk04",
        dt.date(2025, 12, 6),
        "poor_vision",
        -5,
        TEAM_YUNLONG,
        INST_YUNLONG,
        "320303",
        None,
        True,
    ),  # noqa: E501
    ("pk05", dt.date(2025, 11, 1), "action", 30, None, INST_JIAWANG, "320305", None, True),
    ("pk09", dt.date(2025, 11, 26), "action", 5, None, None, None, None, True),
]
# 干预清单 at 2025-11-30 (the previous list)
NOV_LIST = [
    (
        "pk03",
        dt.date(2025, 10, 2),
        "action",
        29,
        TEAM_YUNLONG,
        INST_YUNLONG,
        "320303",
        "1030300002",
        True,
    ),  # noqa: E501
    (
        "pk07",
        dt.date(2025, 10, 20),
        "poor_vision",
        11,
        TEAM_GULOU,
        INST_GULOU,
        "320302",
        None,
        True,
    ),  # noqa: E501
    ("pk08", dt.date(2025, 10, 25), "action", 6, TEAM_YUNLONG, INST_YUNLONG, "320303", None, True),  # noqa: E501
    (
        "pk01",
        dt.date(2025, 10, 17),
        "poor_vision",
        14,
        TEAM_GULOU,
        INST_GULOU,
        "320302",
        "1030200000",
        True,
    ),  # noqa: E501
    ("pk14", dt.date(2025, 10, 31), "action", 0, TEAM_GULOU, INST_GULOU, "320302", None, True),
]
# 复查情况 at 2025-12-31 for the November list: person, followed up since, date, result,
# action, poor vision
REMONITORING = [
    ("pk03", False, None, None, None, None),
    ("pk07", True, dt.date(2025, 12, 10), "1", "0", False),
    ("pk08", True, dt.date(2025, 12, 20), "2", "2", True),
    ("pk01", False, None, None, None, None),
    ("pk14", False, None, None, None, None),
]

REGISTRY = [
    (
        "VIS_COV",
        "0～6岁儿童眼保健和视力检查覆盖率",
        "0～6岁儿童中在统计期内接受过至少一次眼保健和视力检查的比例",
        "分母中统计期内至少有一次眼保健和视力检查的人数",
        "统计期末0～6岁常住儿童数",
        90.0,
        "higher_is_better",
    ),  # noqa: E501
    (
        "VIS_POOR_6",
        "6岁儿童视力不良检出率",
        "6岁时测量视力的儿童中视力不良的比例",
        "分母中最近一次6岁视力检查为视力不良的人数",
        "统计期内6岁时有视力测量的常住儿童数",
        None,
        "lower_is_better",
    ),  # noqa: E501
    (
        "VIS_FOLLOWUP",
        "异常儿童复查转诊完成率",
        "检查异常儿童在30天内完成复查或转诊的比例",
        "分母中30天内有复查记录的人数",
        "统计期内首次检查异常且30天期满的常住儿童数",
        90.0,
        "higher_is_better",
    ),  # noqa: E501
    (
        "VIS_KG_COV",
        "在园儿童视力检查覆盖率",
        "在园儿童中统计期内接受过视力检查的比例",
        "分母中统计期内有检查记录的儿童数",
        "统计期末各幼儿园最新名册儿童数",
        90.0,
        "higher_is_better",
    ),  # noqa: E501
    (
        "VIS_SCHOOL_LINK",
        "入学儿童视力档案转移率",
        "入学儿童中有4～6岁视力测量记录的比例",
        "分母中4～6岁时有视力测量记录的儿童数",
        "统计期内入学名册儿童数",
        95.0,
        "higher_is_better",
    ),  # noqa: E501
]


@dataclass(frozen=True)
class FixtureWarehouse:
    path: Path
    as_of: dt.date = AS_OF


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(100 * numerator / denominator, 2)


def _met(rate: float | None, target: float | None, direction: str) -> bool | None:
    if rate is None or target is None:
        return None
    return rate >= target if direction == "higher_is_better" else rate <= target


def _periods() -> list[tuple[str, str, dt.date, int]]:
    """(period_type, label, end, month index 0..2) — the quarter repeats December's numbers."""
    months = [("month", label, end, i) for i, (label, end) in enumerate(MONTH_ENDS.items())]
    return [*months, ("quarter", "2026Q1", MONTH_ENDS["2025-12"], 2)]


def _scaled(final: tuple[int, int], month: int) -> tuple[int, int]:
    """Earlier months of the indicators other than VIS_COV: a simple year-to-date build-up."""
    numerator, denominator = final
    share = (month + 1) / 3
    return round(numerator * share), round(denominator * share)


def result_row(
    code: str,
    key: tuple[str, str, str, str, str],
    period: tuple[str, str, dt.date, int],
    counts: tuple[int, int],
) -> dict[str, object]:
    _, level, unit_code, unit_name, district_code = key
    period_type, label, end, _ = period
    target = TARGETS[code]
    direction = "lower_is_better" if code == "VIS_POOR_6" else "higher_is_better"
    rate = _rate(*counts)
    return {
        "indicator_code": code,
        "period_type": period_type,
        "period_label": label,
        "statistical_year": STAT_YEAR,
        "period_start": YEAR_START,
        "period_end": end,
        "level": level,
        "unit_code": unit_code,
        "unit_name": unit_name,
        "district_code": district_code,
        "numerator": counts[0],
        "denominator": counts[1],
        "rate": rate,
        "target": target,
        "direction": direction,
        "target_met": _met(rate, target, direction),
    }


def indicator_results() -> pd.DataFrame:
    rows = []
    for period in _periods():
        month = period[3]
        for key, final in FINAL.items():
            code = key[0]
            if code == "VIS_COV":
                counts = COV_MONTHS[key[2]][month]
            else:
                counts = final if month == 2 else _scaled(final, month)
            rows.append(result_row(code, key, period, counts))
    return pd.DataFrame(rows)


def poor_6_by_sex() -> pd.DataFrame:
    rows = []
    names = {CITY[0]: CITY[1], **DISTRICTS}
    for period in _periods():
        for (unit, sex), final in POOR_6_BY_SEX.items():
            level = "city" if unit == CITY[0] else "district"
            counts = final if period[3] == 2 else _scaled(final, period[3])
            row = result_row(
                "VIS_POOR_6", ("VIS_POOR_6", level, unit, names[unit], unit), period, counts
            )  # noqa: E501
            rows.append({**row, "sex_code": sex})
    return pd.DataFrame(rows)


def registry() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_code": code,
                "name_zh": name,
                "definition_zh": definition,
                "numerator_zh": numerator,
                "denominator_zh": denominator,
                "unit": "%",
                "target": target,
                "direction": direction,
                "period_basis": "statistical_year",
                "levels": "city,district" + (",kindergarten" if code == "VIS_KG_COV" else ""),
                "source_document": "国卫办妇幼发〔2021〕11号",
            }
            for code, name, definition, numerator, denominator, target, direction in REGISTRY
        ]
    )


def _list_rows(list_date: dt.date, rows: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
    out = []
    for person, flag_date, reason, overdue, team, inst, district, kg, new in rows:
        out.append(
            {
                "list_date": list_date,
                "person_key": person,
                "flagged_check_key": f"{INST_GULOU}:{person}-{flag_date:%Y%m%d}",
                "flag_institution_code": INST_GULOU,
                "flag_institution_name": INSTITUTION_NAMES[INST_GULOU],
                "flag_date": flag_date,
                "flag_reason": reason,
                "days_overdue": overdue,
                "responsible_team_code": team,
                "responsible_team_name": TEAM_NAMES.get(team) if team else None,
                "responsible_institution_code": inst,
                "responsible_institution_name": INSTITUTION_NAMES.get(inst) if inst else None,
                "responsible_district_code": district,
                "kindergarten_code": kg,
                "kindergarten_name": KINDERGARTEN_NAMES.get(kg) if kg else None,
                "is_new_on_list": new,
            }
        )
    return out


def interventions() -> pd.DataFrame:
    return pd.DataFrame(_list_rows(PREVIOUS_LIST_DATE, NOV_LIST) + _list_rows(LIST_DATE, DEC_LIST))


def remonitoring() -> pd.DataFrame:
    flagged = {row[0]: row[1] for row in NOV_LIST}
    rows = []
    for person, done, date, result, action, poor in REMONITORING:
        rows.append(
            {
                "list_date": LIST_DATE,
                "previous_list_date": PREVIOUS_LIST_DATE,
                "person_key": person,
                "flagged_check_key": f"{INST_GULOU}:{person}-{flagged[person]:%Y%m%d}",
                "is_followed_up_since": done,
                "followup_check_key": f"{INST_GULOU}:{person}-{date:%Y%m%d}" if date else None,
                "followup_date": date,
                "followup_result_code": result,
                "followup_action_code": action,
                "followup_shows_poor_vision": poor,
            }
        )
    return pd.DataFrame(rows)


def identity_persons() -> pd.DataFrame:
    return pd.DataFrame(
        PERSONS, columns=["person_key", "id_number", "name", "sex_code", "birth_date"]
    )


_DDL = {
    "indicators.indicator_results": """
        indicator_code varchar, period_type varchar, period_label varchar,
        statistical_year integer, period_start date, period_end date, level varchar,
        unit_code varchar, unit_name varchar, district_code varchar, numerator bigint,
        denominator bigint, rate decimal(7, 2), target decimal(5, 2), direction varchar,
        target_met boolean""",
    "indicators.indicator_registry": """
        indicator_code varchar, name_zh varchar, definition_zh varchar, numerator_zh varchar,
        denominator_zh varchar, unit varchar, target double, direction varchar,
        period_basis varchar, levels varchar, source_document varchar""",
    "worklists.wl_vision_interventions": """
        list_date date, person_key varchar, flagged_check_key varchar,
        flag_institution_code varchar, flag_institution_name varchar, flag_date date,
        flag_reason varchar, days_overdue integer, responsible_team_code varchar,
        responsible_team_name varchar, responsible_institution_code varchar,
        responsible_institution_name varchar, responsible_district_code varchar,
        kindergarten_code varchar, kindergarten_name varchar, is_new_on_list boolean""",
    "worklists.wl_vision_remonitoring": """
        list_date date, previous_list_date date, person_key varchar,
        flagged_check_key varchar, is_followed_up_since boolean, followup_check_key varchar,
        followup_date date, followup_result_code varchar, followup_action_code varchar,
        followup_shows_poor_vision boolean""",
    "identity.identity_persons": """
        person_key varchar, id_number varchar, name varchar, sex_code varchar,
        birth_date date""",
}


def build_fixture_warehouse(path: Path, skip: tuple[str, ...] = ()) -> FixtureWarehouse:
    """Write the fixture tables into a new DuckDB file (``skip``: tables to leave out)."""
    frames = {
        "indicators.indicator_results": indicator_results(),
        "indicators.vis_poor_6_by_sex": poor_6_by_sex(),
        "indicators.indicator_registry": registry(),
        "worklists.wl_vision_interventions": interventions(),
        "worklists.wl_vision_remonitoring": remonitoring(),
        "identity.identity_persons": identity_persons(),
    }
    ddl = {
        **_DDL,
        "indicators.vis_poor_6_by_sex": _DDL["indicators.indicator_results"] + ", sex_code varchar",
    }  # noqa: E501
    con = duckdb.connect(str(path))
    try:
        for schema in ("indicators", "worklists", "identity"):
            con.execute(f"create schema if not exists {schema}")
        for table, frame in frames.items():
            if table in skip:
                continue
            con.execute(f"create table {table} ({ddl[table]})")
            con.register("frame", frame)
            con.execute(f"insert into {table} by name select * from frame")
            con.unregister("frame")
    finally:
        con.close()
    return FixtureWarehouse(path)


def fixture_warehouse_path(tmp_path: Path) -> Path:
    """Build the fixture warehouse under ``tmp_path`` and return its path."""
    return build_fixture_warehouse(tmp_path / "warehouse.duckdb").path


def final_result(code: str, unit: str) -> tuple[int, int]:
    """The hand-written (numerator, denominator) of one indicator and unit at 2025-12-31."""
    for key, counts in FINAL.items():
        if key[0] == code and key[2] == unit:
            return counts
    raise KeyError((code, unit))
