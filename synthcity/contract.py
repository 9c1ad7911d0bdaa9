"""The extract interface (../shared/spec/extract-interface.md) as the institutions see it.

The generator plays the institutions: it renders each feed's rows to these
headers.  Column kinds tell the renderer how a value is written (and how
it may be written wrongly):

- ``id``: an ID number; the frame holds a person index (``-1`` = blank)
- ``date``: int days since 1970 (``NEVER`` = blank)
- ``text``: written as it is (``None`` = blank)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # id | date | text
    required: bool = False


@dataclass(frozen=True)
class Feed:
    name: str
    mode: str  # incremental | snapshot
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    file_format: str = "csv"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.header for c in self.columns if c.required]


UPDATED = Column(
    "更新时间", "text", True
)  # rendered from the _update_day/_update_second meta columns


def _c(header: str, kind: str = "text", required: bool = False) -> Column:
    return Column(header, kind, required)


FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "institution",
            "snapshot",
            ("机构代码",),
            (
                _c("机构代码", required=True),
                _c("机构名称", required=True),
                _c("机构类别", required=True),
                _c("所在区划代码", required=True),
                _c("服务街道代码"),
                _c("有效标志", required=True),
            ),
        ),
        Feed(
            "team",
            "snapshot",
            ("团队编码",),
            (
                _c("团队编码", required=True),
                _c("所属机构代码", required=True),
                _c("团队名称", required=True),
                _c("有效标志", required=True),
            ),
        ),
        Feed(
            "population",
            "snapshot",
            ("身份证号",),
            (
                _c("身份证号", "id", True),
                _c("姓名", required=True),
                _c("性别代码", required=True),
                _c("出生日期", "date", True),
                _c("户籍地区划代码"),
                _c("现住址街道代码", required=True),
                _c("现住址起始日期", "date"),
                _c("常住标志", required=True),
                _c("死亡日期", "date"),
                UPDATED,
            ),
        ),
        Feed(
            "birth",
            "incremental",
            ("出生证编号",),
            (
                _c("出生证编号", required=True),
                _c("新生儿姓名"),
                _c("性别代码", required=True),
                _c("出生日期", "date", True),
                _c("母亲身份证号", "id", True),
                _c("新生儿身份证号", "id"),
                _c("助产机构代码", required=True),
                UPDATED,
            ),
        ),
        Feed(
            "eye_check",
            "incremental",
            ("检查记录号",),
            (
                _c("检查记录号", required=True),
                _c("儿童身份证号", "id"),
                _c("儿童姓名"),
                _c("性别代码", required=True),
                _c("出生日期", "date", True),
                _c("母亲身份证号", "id"),
                _c("检查日期", "date", True),
                _c("检查阶段"),
                _c("右眼裸眼视力"),
                _c("左眼裸眼视力"),
                _c("视力记录方式"),
                _c("检查结果", required=True),
                _c("处理意见", required=True),
                _c("转诊机构代码"),
                _c("复查原记录号"),
                UPDATED,
            ),
        ),
        Feed(
            "kg_roster",
            "snapshot",
            ("幼儿园标识码", "幼儿身份证号"),
            (
                _c("幼儿园标识码", required=True),
                _c("幼儿园名称", required=True),
                _c("所在街道代码", required=True),
                _c("幼儿身份证号", "id", True),
                _c("幼儿姓名", required=True),
                _c("性别", required=True),
                _c("出生日期", "date", True),
                _c("班级"),
                _c("入园日期", "date"),
            ),
            file_format="xlsx",
        ),
        Feed(
            "school_entry",
            "snapshot",
            ("学校标识码", "学生身份证号"),
            (
                _c("学校标识码", required=True),
                _c("学校名称", required=True),
                _c("学生身份证号", "id", True),
                _c("学生姓名", required=True),
                _c("性别", required=True),
                _c("出生日期", "date", True),
                _c("入学日期", "date", True),
                _c("原幼儿园标识码"),
            ),
            file_format="xlsx",
        ),
        Feed(
            "ehr_record",
            "incremental",
            ("档案编号",),
            (
                _c("档案编号", required=True),
                _c("身份证号", "id", True),
                _c("姓名", required=True),
                _c("性别代码", required=True),
                _c("出生日期", "date", True),
                _c("管理机构代码", required=True),
                _c("责任团队编码"),
                _c("建档日期", "date", True),
                _c("档案状态", required=True),
                _c("状态变更日期", "date"),
                UPDATED,
            ),
        ),
        Feed(
            "ehr_service",
            "incremental",
            ("服务记录号",),
            (
                _c("服务记录号", required=True),
                _c("档案编号"),
                _c("身份证号", "id", True),
                _c("服务机构代码", required=True),
                _c("服务类型", required=True),
                _c("服务日期", "date", True),
                UPDATED,
            ),
        ),
        Feed(
            "contract",
            "incremental",
            ("签约编号",),
            (
                _c("签约编号", required=True),
                _c("身份证号", "id", True),
                _c("签约团队编码", required=True),
                _c("签约机构代码", required=True),
                _c("签约日期", "date", True),
                _c("生效日期", "date", True),
                _c("到期日期", "date", True),
                _c("签约状态", required=True),
                _c("解约日期", "date"),
                UPDATED,
            ),
        ),
        Feed(
            "transfer",
            "incremental",
            ("申请编号",),
            (
                _c("申请编号", required=True),
                _c("档案编号", required=True),
                _c("身份证号", "id", True),
                _c("迁出机构代码", required=True),
                _c("迁入机构代码", required=True),
                _c("申请日期", "date", True),
                _c("申请原因", required=True),
                _c("处理状态", required=True),
                _c("处理日期", "date"),
                _c("协调转办标志"),
                UPDATED,
            ),
        ),
    )
}

# Meta columns every feed frame carries besides its headers (never delivered):
#   _sender        institution code in the file name
#   _business_day  the file's business date (int day)
#   _update_day    更新时间 date (int day); _update_second its second of the day
#   _record        the truth's stable id of the record version (for row accounting)
META_COLUMNS = ("_sender", "_business_day", "_update_day", "_update_second", "_record")
