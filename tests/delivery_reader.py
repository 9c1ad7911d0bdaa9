"""An independent reading of delivered files for the tests (not the ingest package's code).

It follows extract-interface.md and edge-rules.md directly, so the generator is
checked against the contract and not against itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric, uscc

NAME = re.compile(
    r"^(?P<feed>[a-z_]+)_(?P<inst>[0-9A-Z]{18})_(?P<date>\d{8})(?:_(?P<seq>\d+))?\.(?P<ext>csv|xlsx)$"
)
FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
COUNTIES = {
    "320302",
    "320303",
    "320305",
    "320311",
    "320312",
    "320321",
    "320322",
    "320324",
    "320381",
    "320382",
}


@dataclass
class Delivery:
    header: list[str]
    rows: list[list[str]]
    encoding: str
    title_rows: int = 0


def parse_name(name: str) -> dict[str, str] | None:
    m = NAME.match(name)
    if not m:
        return None
    try:
        dt.datetime.strptime(m["date"], "%Y%m%d")
    except ValueError:
        return None
    return m.groupdict()


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def read(path: Path, required: list[str]) -> Delivery:
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        rows = [
            [
                "" if c is None else (c.strftime("%Y-%m-%d") if isinstance(c, dt.date) else str(c))
                for c in r
            ]
            for r in sheet
        ]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            return Delivery([], [], "xlsx")
        # the header: the row naming the most required columns (all of them, unless one is missing)
        named = [sum(h in {c.strip() for c in r} for h in required) for r in rows]
        i = named.index(max(named))
        return Delivery([c.strip() for c in rows[i]], rows[i + 1 :], "xlsx", title_rows=i)
    text, encoding = decode(path.read_bytes())
    lines = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in lines[0]] if lines else []
    return Delivery(header, [r for r in lines[1:] if r], encoding)


def normalize_id(value: str) -> str | None:
    """GB 11643 normalization as edge-rules.md rule 8 states it; None when invalid."""
    v = value.strip(" \u3000\t").translate(FULL_WIDTH)
    if " " in v or "\u3000" in v:
        return None
    if len(v) == 15 and v.isdigit():
        body = v[:6] + "19" + v[6:]
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        v = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    if len(v) != 18 or not v[:17].isdigit() or ric.calc_check_digit(v) != v[-1]:
        return None  # stdnum's own arithmetic (base-13), not the generator's
    try:
        dt.datetime.strptime(v[6:14], "%Y%m%d")
    except ValueError:
        return None
    return v  # the area code is not checked against a table (edge rule 8)


def is_date(value: str) -> bool:
    for fmt in DATE_FORMATS:
        try:
            dt.datetime.strptime(value, fmt)
            return True
        except ValueError:
            continue
    return False


def is_institution_code(value: str) -> bool:
    return len(value) == 18 and uscc.is_valid(value)


def is_street_code(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and value[:6] in COUNTIES


def va_ok(value: str, method: str) -> bool:
    if value == "":
        return True
    v = float(value)
    five, decimal = 4.0 <= v <= 5.3, 0.1 <= v <= 2.0
    if method in ("1", "5分"):
        return five
    if method in ("2", "小数"):
        return decimal
    return five or decimal


# The contract's required columns and value kinds, written from extract-interface.md §3.
REQUIRED = {
    "institution": ["机构代码", "机构名称", "机构类别", "所在区划代码", "有效标志"],
    "team": ["团队编码", "所属机构代码", "团队名称", "有效标志"],
    "population": [
        "身份证号",
        "姓名",
        "性别代码",
        "出生日期",
        "现住址街道代码",
        "常住标志",
        "更新时间",
    ],
    "birth": ["出生证编号", "性别代码", "出生日期", "母亲身份证号", "助产机构代码", "更新时间"],
    "eye_check": [
        "检查记录号",
        "性别代码",
        "出生日期",
        "检查日期",
        "检查结果",
        "处理意见",
        "更新时间",
    ],
    "kg_roster": [
        "幼儿园标识码",
        "幼儿园名称",
        "所在街道代码",
        "幼儿身份证号",
        "幼儿姓名",
        "性别",
        "出生日期",
    ],
    "school_entry": [
        "学校标识码",
        "学校名称",
        "学生身份证号",
        "学生姓名",
        "性别",
        "出生日期",
        "入学日期",
    ],
    "ehr_record": [
        "档案编号",
        "身份证号",
        "姓名",
        "性别代码",
        "出生日期",
        "管理机构代码",
        "建档日期",
        "档案状态",
        "更新时间",
    ],
    "ehr_service": ["服务记录号", "身份证号", "服务机构代码", "服务类型", "服务日期", "更新时间"],
    "contract": [
        "签约编号",
        "身份证号",
        "签约团队编码",
        "签约机构代码",
        "签约日期",
        "生效日期",
        "到期日期",
        "签约状态",
        "更新时间",
    ],
    "transfer": [
        "申请编号",
        "档案编号",
        "身份证号",
        "迁出机构代码",
        "迁入机构代码",
        "申请日期",
        "申请原因",
        "处理状态",
        "更新时间",
    ],
}
ID_COLUMNS = {
    "身份证号",
    "母亲身份证号",
    "新生儿身份证号",
    "儿童身份证号",
    "幼儿身份证号",
    "学生身份证号",
}
DATE_COLUMNS = {
    "出生日期",
    "现住址起始日期",
    "死亡日期",
    "检查日期",
    "入园日期",
    "入学日期",
    "建档日期",
    "状态变更日期",
    "服务日期",
    "签约日期",
    "生效日期",
    "到期日期",
    "解约日期",
    "申请日期",
    "处理日期",
}
INSTITUTION_COLUMNS = {
    "机构代码",
    "所属机构代码",
    "助产机构代码",
    "转诊机构代码",
    "管理机构代码",
    "服务机构代码",
    "签约机构代码",
    "迁出机构代码",
    "迁入机构代码",
}
STREET_COLUMNS = {"现住址街道代码", "所在街道代码"}
SEX_CODES = {"1", "2", "0", "9", "男", "女"}
CODE_SETS = {
    "机构类别": {"A", "B", "C", "D", "E", "J"},
    "有效标志": {"0", "1"},
    "常住标志": {"0", "1"},
    "检查阶段": {
        "",
        "新生儿",
        "满月",
        "3月",
        "6月",
        "8月",
        "12月",
        "18月",
        "24月",
        "30月",
        "36月",
        "4岁",
        "5岁",
        "6岁",
    },
    "视力记录方式": {"", "1", "2", "5分", "小数"},
    "检查结果": {"1", "2"},
    "处理意见": {"0", "1", "2"},
    "档案状态": {"1", "2", "3", "4"},
    "服务类型": {"01", "02", "03", "04", "05", "06", "99"},
    "签约状态": {"1", "2", "3"},
    "申请原因": {"1", "2", "9"},
    "处理状态": {"0", "1", "2"},
    "协调转办标志": {"", "0", "1"},
}
UPDATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
