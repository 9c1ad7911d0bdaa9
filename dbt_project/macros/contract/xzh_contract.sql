{#- GENERATED from ingest/contract.py by dbt_project/scripts/render_contract.py: do not edit.
    Regenerate: .venv/bin/python dbt_project/scripts/render_contract.py -#}
{% macro xzh_contract() -%}
{%- set contract = {
  "lineage": ["_batch_id", "_feed", "_sender", "_business_date", "_seq", "_file_sha256", "_file_path", "_row_number", "_loaded_at", "_extra"],
  "feeds": {
    "institution": {
      "title": "机构注册信息",
      "mode": "snapshot",
      "key": ["institution_code"],
      "snapshot_scope": none,
      "person": none,
      "columns": [
        {"name": "institution_code", "header": "机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "institution_name", "header": "机构名称", "kind": "text", "required": true, "codes": []},
        {"name": "institution_category", "header": "机构类别", "kind": "code", "required": true, "codes": ["A", "B", "C", "D", "E", "J"]},
        {"name": "district_code", "header": "所在区划代码", "kind": "text", "required": true, "codes": []},
        {"name": "served_street_codes", "header": "服务街道代码", "kind": "text", "required": false, "codes": []},
        {"name": "active_flag", "header": "有效标志", "kind": "code", "required": true, "codes": ["1", "0"]}
      ],
      "rules": [
        {"code": "missing:institution_code", "rule": "missing", "column": "institution_code", "severity": "error"},
        {"code": "missing:institution_name", "rule": "missing", "column": "institution_name", "severity": "error"},
        {"code": "missing:institution_category", "rule": "missing", "column": "institution_category", "severity": "error"},
        {"code": "bad_code:institution_category", "rule": "bad_code", "column": "institution_category", "severity": "error"},
        {"code": "missing:district_code", "rule": "missing", "column": "district_code", "severity": "error"},
        {"code": "missing:active_flag", "rule": "missing", "column": "active_flag", "severity": "error"},
        {"code": "bad_code:active_flag", "rule": "bad_code", "column": "active_flag", "severity": "error"}
      ]
    },
    "team": {
      "title": "家庭医生团队",
      "mode": "snapshot",
      "key": ["team_code"],
      "snapshot_scope": none,
      "person": none,
      "columns": [
        {"name": "team_code", "header": "团队编码", "kind": "text", "required": true, "codes": []},
        {"name": "institution_code", "header": "所属机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "team_name", "header": "团队名称", "kind": "text", "required": true, "codes": []},
        {"name": "active_flag", "header": "有效标志", "kind": "code", "required": true, "codes": ["1", "0"]}
      ],
      "rules": [
        {"code": "missing:team_code", "rule": "missing", "column": "team_code", "severity": "error"},
        {"code": "missing:institution_code", "rule": "missing", "column": "institution_code", "severity": "error"},
        {"code": "missing:team_name", "rule": "missing", "column": "team_name", "severity": "error"},
        {"code": "missing:active_flag", "rule": "missing", "column": "active_flag", "severity": "error"},
        {"code": "bad_code:active_flag", "rule": "bad_code", "column": "active_flag", "severity": "error"}
      ]
    },
    "population": {
      "title": "全员人口信息",
      "mode": "snapshot",
      "key": ["id_number"],
      "snapshot_scope": none,
      "person": ["id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "id_number", "header": "身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "name", "header": "姓名", "kind": "text", "required": true, "codes": []},
        {"name": "sex_code", "header": "性别代码", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "hukou_district_code", "header": "户籍地区划代码", "kind": "text", "required": false, "codes": []},
        {"name": "street_code", "header": "现住址街道代码", "kind": "text", "required": true, "codes": []},
        {"name": "street_since_date", "header": "现住址起始日期", "kind": "date", "required": false, "codes": []},
        {"name": "resident_flag", "header": "常住标志", "kind": "code", "required": true, "codes": ["1", "0"]},
        {"name": "death_date", "header": "死亡日期", "kind": "date", "required": false, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:id_number", "rule": "missing", "column": "id_number", "severity": "error"},
        {"code": "bad_id:id_number", "rule": "bad_id", "column": "id_number", "severity": "error"},
        {"code": "missing:name", "rule": "missing", "column": "name", "severity": "error"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "missing:street_code", "rule": "missing", "column": "street_code", "severity": "error"},
        {"code": "bad_date:street_since_date", "rule": "bad_date", "column": "street_since_date", "severity": "warning"},
        {"code": "missing:resident_flag", "rule": "missing", "column": "resident_flag", "severity": "error"},
        {"code": "bad_code:resident_flag", "rule": "bad_code", "column": "resident_flag", "severity": "error"},
        {"code": "bad_date:death_date", "rule": "bad_date", "column": "death_date", "severity": "warning"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"},
        {"code": "id_birth_mismatch:id_number", "rule": "id_birth_mismatch", "column": "id_number", "severity": "error"},
        {"code": "id_sex_mismatch:id_number", "rule": "id_sex_mismatch", "column": "id_number", "severity": "warning"}
      ]
    },
    "birth": {
      "title": "出生医学证明",
      "mode": "incremental",
      "key": ["birth_cert_no"],
      "snapshot_scope": none,
      "person": ["newborn_id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "birth_cert_no", "header": "出生证编号", "kind": "text", "required": true, "codes": []},
        {"name": "newborn_name", "header": "新生儿姓名", "kind": "text", "required": false, "codes": []},
        {"name": "sex_code", "header": "性别代码", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "mother_id_number", "header": "母亲身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "newborn_id_number", "header": "新生儿身份证号", "kind": "id", "required": false, "codes": []},
        {"name": "delivery_institution_code", "header": "助产机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:birth_cert_no", "rule": "missing", "column": "birth_cert_no", "severity": "error"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "missing:mother_id_number", "rule": "missing", "column": "mother_id_number", "severity": "error"},
        {"code": "bad_id:mother_id_number", "rule": "bad_id", "column": "mother_id_number", "severity": "error"},
        {"code": "bad_id:newborn_id_number", "rule": "bad_id", "column": "newborn_id_number", "severity": "warning"},
        {"code": "missing:delivery_institution_code", "rule": "missing", "column": "delivery_institution_code", "severity": "error"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"},
        {"code": "id_birth_mismatch:newborn_id_number", "rule": "id_birth_mismatch", "column": "newborn_id_number", "severity": "warning"},
        {"code": "id_sex_mismatch:newborn_id_number", "rule": "id_sex_mismatch", "column": "newborn_id_number", "severity": "warning"}
      ]
    },
    "eye_check": {
      "title": "0～6岁儿童眼保健和视力检查记录",
      "mode": "incremental",
      "key": ["_sender", "check_no"],
      "snapshot_scope": none,
      "person": ["child_id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "check_no", "header": "检查记录号", "kind": "text", "required": true, "codes": []},
        {"name": "child_id_number", "header": "儿童身份证号", "kind": "id", "required": false, "codes": []},
        {"name": "child_name", "header": "儿童姓名", "kind": "text", "required": false, "codes": []},
        {"name": "sex_code", "header": "性别代码", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "mother_id_number", "header": "母亲身份证号", "kind": "id", "required": false, "codes": []},
        {"name": "check_date", "header": "检查日期", "kind": "date", "required": true, "codes": []},
        {"name": "check_stage", "header": "检查阶段", "kind": "code", "required": false, "codes": ["新生儿", "满月", "3月", "6月", "8月", "12月", "18月", "24月", "30月", "36月", "4岁", "5岁", "6岁"]},
        {"name": "va_right", "header": "右眼裸眼视力", "kind": "va", "required": false, "codes": []},
        {"name": "va_left", "header": "左眼裸眼视力", "kind": "va", "required": false, "codes": []},
        {"name": "va_notation", "header": "视力记录方式", "kind": "code", "required": false, "codes": ["1", "2", "5分", "小数"]},
        {"name": "result_code", "header": "检查结果", "kind": "code", "required": true, "codes": ["1", "2"]},
        {"name": "action_code", "header": "处理意见", "kind": "code", "required": true, "codes": ["0", "1", "2"]},
        {"name": "referral_institution_code", "header": "转诊机构代码", "kind": "text", "required": false, "codes": []},
        {"name": "origin_check_no", "header": "复查原记录号", "kind": "text", "required": false, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:check_no", "rule": "missing", "column": "check_no", "severity": "error"},
        {"code": "bad_id:child_id_number", "rule": "bad_id", "column": "child_id_number", "severity": "warning"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "bad_id:mother_id_number", "rule": "bad_id", "column": "mother_id_number", "severity": "warning"},
        {"code": "missing:check_date", "rule": "missing", "column": "check_date", "severity": "error"},
        {"code": "bad_date:check_date", "rule": "bad_date", "column": "check_date", "severity": "error"},
        {"code": "bad_code:check_stage", "rule": "bad_code", "column": "check_stage", "severity": "error"},
        {"code": "bad_va:va_right", "rule": "bad_va", "column": "va_right", "severity": "warning"},
        {"code": "bad_va:va_left", "rule": "bad_va", "column": "va_left", "severity": "warning"},
        {"code": "bad_code:va_notation", "rule": "bad_code", "column": "va_notation", "severity": "error"},
        {"code": "missing:result_code", "rule": "missing", "column": "result_code", "severity": "error"},
        {"code": "bad_code:result_code", "rule": "bad_code", "column": "result_code", "severity": "error"},
        {"code": "missing:action_code", "rule": "missing", "column": "action_code", "severity": "error"},
        {"code": "bad_code:action_code", "rule": "bad_code", "column": "action_code", "severity": "error"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"},
        {"code": "id_birth_mismatch:child_id_number", "rule": "id_birth_mismatch", "column": "child_id_number", "severity": "warning"},
        {"code": "id_sex_mismatch:child_id_number", "rule": "id_sex_mismatch", "column": "child_id_number", "severity": "warning"}
      ]
    },
    "kg_roster": {
      "title": "在园儿童名册",
      "mode": "snapshot",
      "key": ["kindergarten_code", "child_id_number"],
      "snapshot_scope": "kindergarten_code",
      "person": ["child_id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "kindergarten_code", "header": "幼儿园标识码", "kind": "text", "required": true, "codes": []},
        {"name": "kindergarten_name", "header": "幼儿园名称", "kind": "text", "required": true, "codes": []},
        {"name": "street_code", "header": "所在街道代码", "kind": "text", "required": true, "codes": []},
        {"name": "child_id_number", "header": "幼儿身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "child_name", "header": "幼儿姓名", "kind": "text", "required": true, "codes": []},
        {"name": "sex_code", "header": "性别", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "class_name", "header": "班级", "kind": "text", "required": false, "codes": []},
        {"name": "enrol_date", "header": "入园日期", "kind": "date", "required": false, "codes": []}
      ],
      "rules": [
        {"code": "missing:kindergarten_code", "rule": "missing", "column": "kindergarten_code", "severity": "error"},
        {"code": "missing:kindergarten_name", "rule": "missing", "column": "kindergarten_name", "severity": "error"},
        {"code": "missing:street_code", "rule": "missing", "column": "street_code", "severity": "error"},
        {"code": "missing:child_id_number", "rule": "missing", "column": "child_id_number", "severity": "error"},
        {"code": "bad_id:child_id_number", "rule": "bad_id", "column": "child_id_number", "severity": "error"},
        {"code": "missing:child_name", "rule": "missing", "column": "child_name", "severity": "error"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:enrol_date", "rule": "bad_date", "column": "enrol_date", "severity": "warning"},
        {"code": "id_birth_mismatch:child_id_number", "rule": "id_birth_mismatch", "column": "child_id_number", "severity": "warning"},
        {"code": "id_sex_mismatch:child_id_number", "rule": "id_sex_mismatch", "column": "child_id_number", "severity": "warning"}
      ]
    },
    "school_entry": {
      "title": "小学一年级新生名册",
      "mode": "snapshot",
      "key": ["school_code", "student_id_number"],
      "snapshot_scope": "school_code",
      "person": ["student_id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "school_code", "header": "学校标识码", "kind": "text", "required": true, "codes": []},
        {"name": "school_name", "header": "学校名称", "kind": "text", "required": true, "codes": []},
        {"name": "student_id_number", "header": "学生身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "student_name", "header": "学生姓名", "kind": "text", "required": true, "codes": []},
        {"name": "sex_code", "header": "性别", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "entry_date", "header": "入学日期", "kind": "date", "required": true, "codes": []},
        {"name": "former_kindergarten_code", "header": "原幼儿园标识码", "kind": "text", "required": false, "codes": []}
      ],
      "rules": [
        {"code": "missing:school_code", "rule": "missing", "column": "school_code", "severity": "error"},
        {"code": "missing:school_name", "rule": "missing", "column": "school_name", "severity": "error"},
        {"code": "missing:student_id_number", "rule": "missing", "column": "student_id_number", "severity": "error"},
        {"code": "bad_id:student_id_number", "rule": "bad_id", "column": "student_id_number", "severity": "error"},
        {"code": "missing:student_name", "rule": "missing", "column": "student_name", "severity": "error"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "missing:entry_date", "rule": "missing", "column": "entry_date", "severity": "error"},
        {"code": "bad_date:entry_date", "rule": "bad_date", "column": "entry_date", "severity": "error"},
        {"code": "id_birth_mismatch:student_id_number", "rule": "id_birth_mismatch", "column": "student_id_number", "severity": "warning"},
        {"code": "id_sex_mismatch:student_id_number", "rule": "id_sex_mismatch", "column": "student_id_number", "severity": "warning"}
      ]
    },
    "ehr_record": {
      "title": "居民健康档案",
      "mode": "incremental",
      "key": ["record_no"],
      "snapshot_scope": none,
      "person": ["id_number", "birth_date", "sex_code"],
      "columns": [
        {"name": "record_no", "header": "档案编号", "kind": "text", "required": true, "codes": []},
        {"name": "id_number", "header": "身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "name", "header": "姓名", "kind": "text", "required": true, "codes": []},
        {"name": "sex_code", "header": "性别代码", "kind": "code", "required": true, "codes": ["1", "2", "0", "9", "男", "女"]},
        {"name": "birth_date", "header": "出生日期", "kind": "date", "required": true, "codes": []},
        {"name": "managing_institution_code", "header": "管理机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "team_code", "header": "责任团队编码", "kind": "text", "required": false, "codes": []},
        {"name": "created_date", "header": "建档日期", "kind": "date", "required": true, "codes": []},
        {"name": "record_status", "header": "档案状态", "kind": "code", "required": true, "codes": ["1", "2", "3", "4"]},
        {"name": "status_changed_date", "header": "状态变更日期", "kind": "date", "required": false, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:record_no", "rule": "missing", "column": "record_no", "severity": "error"},
        {"code": "missing:id_number", "rule": "missing", "column": "id_number", "severity": "error"},
        {"code": "bad_id:id_number", "rule": "bad_id", "column": "id_number", "severity": "error"},
        {"code": "missing:name", "rule": "missing", "column": "name", "severity": "error"},
        {"code": "missing:sex_code", "rule": "missing", "column": "sex_code", "severity": "error"},
        {"code": "bad_code:sex_code", "rule": "bad_code", "column": "sex_code", "severity": "error"},
        {"code": "missing:birth_date", "rule": "missing", "column": "birth_date", "severity": "error"},
        {"code": "bad_date:birth_date", "rule": "bad_date", "column": "birth_date", "severity": "error"},
        {"code": "missing:managing_institution_code", "rule": "missing", "column": "managing_institution_code", "severity": "error"},
        {"code": "missing:created_date", "rule": "missing", "column": "created_date", "severity": "error"},
        {"code": "bad_date:created_date", "rule": "bad_date", "column": "created_date", "severity": "error"},
        {"code": "missing:record_status", "rule": "missing", "column": "record_status", "severity": "error"},
        {"code": "bad_code:record_status", "rule": "bad_code", "column": "record_status", "severity": "error"},
        {"code": "bad_date:status_changed_date", "rule": "bad_date", "column": "status_changed_date", "severity": "warning"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"},
        {"code": "id_birth_mismatch:id_number", "rule": "id_birth_mismatch", "column": "id_number", "severity": "warning"},
        {"code": "id_sex_mismatch:id_number", "rule": "id_sex_mismatch", "column": "id_number", "severity": "warning"}
      ]
    },
    "ehr_service": {
      "title": "健康档案服务记录",
      "mode": "incremental",
      "key": ["service_no"],
      "snapshot_scope": none,
      "person": none,
      "columns": [
        {"name": "service_no", "header": "服务记录号", "kind": "text", "required": true, "codes": []},
        {"name": "record_no", "header": "档案编号", "kind": "text", "required": false, "codes": []},
        {"name": "id_number", "header": "身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "service_institution_code", "header": "服务机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "service_type", "header": "服务类型", "kind": "code", "required": true, "codes": ["01", "02", "03", "04", "05", "06", "99"]},
        {"name": "service_date", "header": "服务日期", "kind": "date", "required": true, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:service_no", "rule": "missing", "column": "service_no", "severity": "error"},
        {"code": "missing:id_number", "rule": "missing", "column": "id_number", "severity": "error"},
        {"code": "bad_id:id_number", "rule": "bad_id", "column": "id_number", "severity": "error"},
        {"code": "missing:service_institution_code", "rule": "missing", "column": "service_institution_code", "severity": "error"},
        {"code": "missing:service_type", "rule": "missing", "column": "service_type", "severity": "error"},
        {"code": "bad_code:service_type", "rule": "bad_code", "column": "service_type", "severity": "error"},
        {"code": "missing:service_date", "rule": "missing", "column": "service_date", "severity": "error"},
        {"code": "bad_date:service_date", "rule": "bad_date", "column": "service_date", "severity": "error"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"}
      ]
    },
    "contract": {
      "title": "家庭医生签约",
      "mode": "incremental",
      "key": ["contract_no"],
      "snapshot_scope": none,
      "person": none,
      "columns": [
        {"name": "contract_no", "header": "签约编号", "kind": "text", "required": true, "codes": []},
        {"name": "id_number", "header": "身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "team_code", "header": "签约团队编码", "kind": "text", "required": true, "codes": []},
        {"name": "institution_code", "header": "签约机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "signed_date", "header": "签约日期", "kind": "date", "required": true, "codes": []},
        {"name": "effective_date", "header": "生效日期", "kind": "date", "required": true, "codes": []},
        {"name": "expiry_date", "header": "到期日期", "kind": "date", "required": true, "codes": []},
        {"name": "contract_status", "header": "签约状态", "kind": "code", "required": true, "codes": ["1", "2", "3"]},
        {"name": "terminated_date", "header": "解约日期", "kind": "date", "required": false, "codes": []},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:contract_no", "rule": "missing", "column": "contract_no", "severity": "error"},
        {"code": "missing:id_number", "rule": "missing", "column": "id_number", "severity": "error"},
        {"code": "bad_id:id_number", "rule": "bad_id", "column": "id_number", "severity": "error"},
        {"code": "missing:team_code", "rule": "missing", "column": "team_code", "severity": "error"},
        {"code": "missing:institution_code", "rule": "missing", "column": "institution_code", "severity": "error"},
        {"code": "missing:signed_date", "rule": "missing", "column": "signed_date", "severity": "error"},
        {"code": "bad_date:signed_date", "rule": "bad_date", "column": "signed_date", "severity": "error"},
        {"code": "missing:effective_date", "rule": "missing", "column": "effective_date", "severity": "error"},
        {"code": "bad_date:effective_date", "rule": "bad_date", "column": "effective_date", "severity": "error"},
        {"code": "missing:expiry_date", "rule": "missing", "column": "expiry_date", "severity": "error"},
        {"code": "bad_date:expiry_date", "rule": "bad_date", "column": "expiry_date", "severity": "error"},
        {"code": "missing:contract_status", "rule": "missing", "column": "contract_status", "severity": "error"},
        {"code": "bad_code:contract_status", "rule": "bad_code", "column": "contract_status", "severity": "error"},
        {"code": "bad_date:terminated_date", "rule": "bad_date", "column": "terminated_date", "severity": "warning"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"}
      ]
    },
    "transfer": {
      "title": "档案迁移申请",
      "mode": "incremental",
      "key": ["request_no"],
      "snapshot_scope": none,
      "person": none,
      "columns": [
        {"name": "request_no", "header": "申请编号", "kind": "text", "required": true, "codes": []},
        {"name": "record_no", "header": "档案编号", "kind": "text", "required": true, "codes": []},
        {"name": "id_number", "header": "身份证号", "kind": "id", "required": true, "codes": []},
        {"name": "from_institution_code", "header": "迁出机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "to_institution_code", "header": "迁入机构代码", "kind": "text", "required": true, "codes": []},
        {"name": "request_date", "header": "申请日期", "kind": "date", "required": true, "codes": []},
        {"name": "reason_code", "header": "申请原因", "kind": "code", "required": true, "codes": ["1", "2", "9"]},
        {"name": "status_code", "header": "处理状态", "kind": "code", "required": true, "codes": ["0", "1", "2"]},
        {"name": "answered_date", "header": "处理日期", "kind": "date", "required": false, "codes": []},
        {"name": "escalated_flag", "header": "协调转办标志", "kind": "code", "required": false, "codes": ["1", "0"]},
        {"name": "updated_at", "header": "更新时间", "kind": "datetime", "required": true, "codes": []}
      ],
      "rules": [
        {"code": "missing:request_no", "rule": "missing", "column": "request_no", "severity": "error"},
        {"code": "missing:record_no", "rule": "missing", "column": "record_no", "severity": "error"},
        {"code": "missing:id_number", "rule": "missing", "column": "id_number", "severity": "error"},
        {"code": "bad_id:id_number", "rule": "bad_id", "column": "id_number", "severity": "error"},
        {"code": "missing:from_institution_code", "rule": "missing", "column": "from_institution_code", "severity": "error"},
        {"code": "missing:to_institution_code", "rule": "missing", "column": "to_institution_code", "severity": "error"},
        {"code": "missing:request_date", "rule": "missing", "column": "request_date", "severity": "error"},
        {"code": "bad_date:request_date", "rule": "bad_date", "column": "request_date", "severity": "error"},
        {"code": "missing:reason_code", "rule": "missing", "column": "reason_code", "severity": "error"},
        {"code": "bad_code:reason_code", "rule": "bad_code", "column": "reason_code", "severity": "error"},
        {"code": "missing:status_code", "rule": "missing", "column": "status_code", "severity": "error"},
        {"code": "bad_code:status_code", "rule": "bad_code", "column": "status_code", "severity": "error"},
        {"code": "bad_date:answered_date", "rule": "bad_date", "column": "answered_date", "severity": "warning"},
        {"code": "bad_code:escalated_flag", "rule": "bad_code", "column": "escalated_flag", "severity": "error"},
        {"code": "missing:updated_at", "rule": "missing", "column": "updated_at", "severity": "error"},
        {"code": "bad_datetime:updated_at", "rule": "bad_datetime", "column": "updated_at", "severity": "error"}
      ]
    }
  }
} -%}
{{- return(contract) -}}
{%- endmacro %}
