"""The extract interface (../shared/spec/extract-interface.md) as the platform reads it.

One table of facts per feed, shared by the ingest (header mapping), the gate
(row rules, thresholds) and, through ``dbt_project/seeds``, by staging:

- ``header``: the Chinese column name institutions deliver;
- ``name``: the canonical column name in the landing, raw and staging zones;
- ``kind``: how the value is read (see ``KINDS``);
- ``required``: a blank or unreadable value breaks a row rule (edge rule 9);
- ``codes``: for ``code`` columns, the allowed values as listed in the contract.

Values stay text as delivered until dbt staging types them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a value is read (edge rules 8, 9, 11, 16):
#   id        GB 11643 ID number (blank-stripped, full-width folded, 15 → 18 digits)
#   date      YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD (XLSX date cells arrive as YYYY-MM-DD)
#   datetime  更新时间 in any of the forms of edge rule 11
#   code      one of ``codes``
#   va        visual acuity, 5-point 4.0–5.3 or decimal 0.1–2.0
#   text      anything (required: not blank)
KINDS = ("id", "date", "datetime", "code", "va", "text")

SEX_CODES = ("1", "2", "0", "9", "男", "女")
FLAG_CODES = ("1", "0")


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    kind: str = "text"
    required: bool = False
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    name: str
    title: str
    mode: str  # incremental | snapshot
    key: tuple[str, ...]  # canonical names; eye_check keys add the sender (edge rule 10)
    columns: tuple[Column, ...]
    # snapshot feeds: the column whose values each replace their own previous
    # snapshot (rosters: per kindergarten / school); None = the sending institution
    snapshot_scope: str | None = None
    # snapshot feeds whose file may not shrink below half the sender's previous one
    guard_small_snapshot: bool = False
    # share of data rows that may break a row rule before the file is rejected
    max_broken_share: float = 0.05
    min_broken_rows: int = 5
    # (ID column, its birth date column, its sex column): the ID's own birth date
    # and sex are checked against the row's (edge rule 8)
    person: tuple[str, str, str] | None = None
    headers_by_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers_by_name", {c.name: c.header for c in self.columns})

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.required)

    @property
    def version_column(self) -> str | None:
        """The 更新时间 column that orders versions of a key, if the feed has one."""
        return "updated_at" if "updated_at" in self.names else None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"feed {self.name} has no column {name}")


def _c(
    header: str, name: str, kind: str = "text", required: bool = False, codes: tuple[str, ...] = ()
) -> Column:
    assert kind in KINDS, kind
    return Column(header, name, kind, required, codes)


UPDATED_AT = _c("更新时间", "updated_at", "datetime", True)

FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "institution",
            "机构注册信息",
            "snapshot",
            ("institution_code",),
            (
                _c("机构代码", "institution_code", required=True),
                _c("机构名称", "institution_name", required=True),
                _c(
                    "机构类别",
                    "institution_category",
                    "code",
                    True,
                    ("A", "B", "C", "D", "E", "J"),
                ),
                _c("所在区划代码", "district_code", required=True),
                _c("服务街道代码", "served_street_codes"),
                _c("有效标志", "active_flag", "code", True, FLAG_CODES),
            ),
            guard_small_snapshot=True,
        ),
        Feed(
            "team",
            "家庭医生团队",
            "snapshot",
            ("team_code",),
            (
                _c("团队编码", "team_code", required=True),
                _c("所属机构代码", "institution_code", required=True),
                _c("团队名称", "team_name", required=True),
                _c("有效标志", "active_flag", "code", True, FLAG_CODES),
            ),
            guard_small_snapshot=True,
        ),
        Feed(
            "population",
            "全员人口信息",
            "snapshot",
            ("id_number",),
            (
                _c("身份证号", "id_number", "id", True),
                _c("姓名", "name", required=True),
                _c("性别代码", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("户籍地区划代码", "hukou_district_code"),
                _c("现住址街道代码", "street_code", required=True),
                _c("现住址起始日期", "street_since_date", "date"),
                _c("常住标志", "resident_flag", "code", True, FLAG_CODES),
                _c("死亡日期", "death_date", "date"),
                UPDATED_AT,
            ),
            guard_small_snapshot=True,
            person=("id_number", "birth_date", "sex_code"),
        ),
        Feed(
            "birth",
            "出生医学证明",
            "incremental",
            ("birth_cert_no",),
            (
                _c("出生证编号", "birth_cert_no", required=True),
                _c("新生儿姓名", "newborn_name"),
                _c("性别代码", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("母亲身份证号", "mother_id_number", "id", True),
                _c("新生儿身份证号", "newborn_id_number", "id"),
                _c("助产机构代码", "delivery_institution_code", required=True),
                UPDATED_AT,
            ),
            person=("newborn_id_number", "birth_date", "sex_code"),
        ),
        Feed(
            "eye_check",
            "0～6岁儿童眼保健和视力检查记录",
            "incremental",
            ("_sender", "check_no"),
            (
                _c("检查记录号", "check_no", required=True),
                _c("儿童身份证号", "child_id_number", "id"),
                _c("儿童姓名", "child_name"),
                _c("性别代码", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("母亲身份证号", "mother_id_number", "id"),
                _c("检查日期", "check_date", "date", True),
                _c(
                    "检查阶段",
                    "check_stage",
                    "code",
                    False,
                    (
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
                    ),
                ),
                _c("右眼裸眼视力", "va_right", "va"),
                _c("左眼裸眼视力", "va_left", "va"),
                _c("视力记录方式", "va_notation", "code", False, ("1", "2", "5分", "小数")),
                _c("检查结果", "result_code", "code", True, ("1", "2")),
                _c("处理意见", "action_code", "code", True, ("0", "1", "2")),
                _c("转诊机构代码", "referral_institution_code"),
                _c("复查原记录号", "origin_check_no"),
                UPDATED_AT,
            ),
            person=("child_id_number", "birth_date", "sex_code"),
        ),
        Feed(
            "kg_roster",
            "在园儿童名册",
            "snapshot",
            ("kindergarten_code", "child_id_number"),
            (
                _c("幼儿园标识码", "kindergarten_code", required=True),
                _c("幼儿园名称", "kindergarten_name", required=True),
                _c("所在街道代码", "street_code", required=True),
                _c("幼儿身份证号", "child_id_number", "id", True),
                _c("幼儿姓名", "child_name", required=True),
                _c("性别", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("班级", "class_name"),
                _c("入园日期", "enrol_date", "date"),
            ),
            person=("child_id_number", "birth_date", "sex_code"),
            snapshot_scope="kindergarten_code",
        ),
        Feed(
            "school_entry",
            "小学一年级新生名册",
            "snapshot",
            ("school_code", "student_id_number"),
            (
                _c("学校标识码", "school_code", required=True),
                _c("学校名称", "school_name", required=True),
                _c("学生身份证号", "student_id_number", "id", True),
                _c("学生姓名", "student_name", required=True),
                _c("性别", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("入学日期", "entry_date", "date", True),
                _c("原幼儿园标识码", "former_kindergarten_code"),
            ),
            person=("student_id_number", "birth_date", "sex_code"),
            snapshot_scope="school_code",
        ),
        Feed(
            "ehr_record",
            "居民健康档案",
            "incremental",
            ("record_no",),
            (
                _c("档案编号", "record_no", required=True),
                _c("身份证号", "id_number", "id", True),
                _c("姓名", "name", required=True),
                _c("性别代码", "sex_code", "code", True, SEX_CODES),
                _c("出生日期", "birth_date", "date", True),
                _c("管理机构代码", "managing_institution_code", required=True),
                _c("责任团队编码", "team_code"),
                _c("建档日期", "created_date", "date", True),
                _c("档案状态", "record_status", "code", True, ("1", "2", "3", "4")),
                _c("状态变更日期", "status_changed_date", "date"),
                UPDATED_AT,
            ),
            person=("id_number", "birth_date", "sex_code"),
        ),
        Feed(
            "ehr_service",
            "健康档案服务记录",
            "incremental",
            ("service_no",),
            (
                _c("服务记录号", "service_no", required=True),
                _c("档案编号", "record_no"),
                _c("身份证号", "id_number", "id", True),
                _c("服务机构代码", "service_institution_code", required=True),
                _c(
                    "服务类型",
                    "service_type",
                    "code",
                    True,
                    ("01", "02", "03", "04", "05", "06", "99"),
                ),
                _c("服务日期", "service_date", "date", True),
                UPDATED_AT,
            ),
        ),
        Feed(
            "contract",
            "家庭医生签约",
            "incremental",
            ("contract_no",),
            (
                _c("签约编号", "contract_no", required=True),
                _c("身份证号", "id_number", "id", True),
                _c("签约团队编码", "team_code", required=True),
                _c("签约机构代码", "institution_code", required=True),
                _c("签约日期", "signed_date", "date", True),
                _c("生效日期", "effective_date", "date", True),
                _c("到期日期", "expiry_date", "date", True),
                _c("签约状态", "contract_status", "code", True, ("1", "2", "3")),
                _c("解约日期", "terminated_date", "date"),
                UPDATED_AT,
            ),
        ),
        Feed(
            "transfer",
            "档案迁移申请",
            "incremental",
            ("request_no",),
            (
                _c("申请编号", "request_no", required=True),
                _c("档案编号", "record_no", required=True),
                _c("身份证号", "id_number", "id", True),
                _c("迁出机构代码", "from_institution_code", required=True),
                _c("迁入机构代码", "to_institution_code", required=True),
                _c("申请日期", "request_date", "date", True),
                _c("申请原因", "reason_code", "code", True, ("1", "2", "9")),
                _c("处理状态", "status_code", "code", True, ("0", "1", "2")),
                _c("处理日期", "answered_date", "date"),
                _c("协调转办标志", "escalated_flag", "code", False, ("1", "0")),
                UPDATED_AT,
            ),
        ),
    )
}

# Reference feeds are loaded first: the sender registry (edge rule 7) comes from them.
LOAD_ORDER: tuple[str, ...] = (
    "institution",
    "team",
    "population",
    "birth",
    "eye_check",
    "kg_roster",
    "school_entry",
    "ehr_record",
    "ehr_service",
    "contract",
    "transfer",
)
assert set(LOAD_ORDER) == set(FEEDS)
REFERENCE_FEEDS = LOAD_ORDER[:2]
DATA_FEEDS = LOAD_ORDER[2:]

# Lineage columns on every landing, raw and quarantined row, in this order.
# All canonical and extra columns are text as delivered; these are typed.
LINEAGE: dict[str, str] = {
    "_batch_id": "string",  # <feed>_<sender>_<YYYYMMDD>_<seq>_<sha256[:12]>
    "_feed": "string",
    "_sender": "string",  # the file name's institution code
    "_business_date": "date32",
    "_seq": "int32",  # 1 for a file without suffix
    "_file_sha256": "string",
    "_file_path": "string",  # path relative to the inbox root
    "_row_number": "int32",  # 1-based data row of the file (header and title rows not counted)
    "_loaded_at": "timestamp[us, tz=UTC]",
}
# Columns the contract does not know are kept as one JSON object {header: value}.
EXTRA_COLUMN = "_extra"

# Statuses of the load ledger (one row per delivered file).
STATUSES = ("loaded", "quarantined", "rejected", "duplicate", "superseded")


@dataclass(frozen=True)
class RowRule:
    """One reason a row can be flagged; ``code`` is what staging writes on the row."""

    # missing | bad_id | bad_date | bad_datetime | bad_code | bad_va
    # | id_birth_mismatch | id_sex_mismatch
    rule: str
    column: str
    # error: the row is used nowhere and counts against the file; warning: flagged only
    severity: str

    @property
    def code(self) -> str:
        return f"{self.rule}:{self.column}"


_BAD_VALUE = {
    "id": "bad_id",
    "date": "bad_date",
    "datetime": "bad_datetime",
    "code": "bad_code",
    "va": "bad_va",
}


def row_rules(feed: Feed) -> tuple[RowRule, ...]:
    """The row rules of a feed (edge rules 8, 9, 16), in column order.

    A blank required value is an error.  An unreadable value is an error when
    the column is required, and a warning (the value counts as blank) when it
    is optional; a code outside its set is an error either way.  The ID's birth
    date and sex are compared with the row's: a warning, except that a
    population row whose birth date disagrees with its ID is excluded.
    """
    rules: list[RowRule] = []
    for c in feed.columns:
        if c.required:
            rules.append(RowRule("missing", c.name, "error"))
        if c.kind in _BAD_VALUE:
            severe = c.required or c.kind == "code"
            rules.append(RowRule(_BAD_VALUE[c.kind], c.name, "error" if severe else "warning"))
    if feed.person:
        id_column = feed.person[0]
        birth_severity = "error" if feed.name == "population" else "warning"
        rules.append(RowRule("id_birth_mismatch", id_column, birth_severity))
        rules.append(RowRule("id_sex_mismatch", id_column, "warning"))
    return tuple(rules)
