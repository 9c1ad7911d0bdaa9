{#- One row per health record and version day: the record's version that
    stands at the end of each day its 更新时间 falls on (edge rules 11-13).
    Of several versions with the same 更新时间 date only the latest (then later
    business date, higher sequence, later file path, later row) stands; a row
    whose 档案编号 or 更新时间 is blank or unreadable is no version. valid_to is
    the next version day (exclusive; NULL = current). The version in force
    decides even when unusable (then the record counts nowhere). -#}

with

health_records as (

    select * from {{ ref('stg_ehr_record__health_records') }}
    where record_no is not null and updated_at is not null

),

last_of_day as (

    select
        *,
        cast(updated_at as date) as valid_from
    from health_records
    qualify row_number() over (
        partition by record_no, cast(updated_at as date)
        order by updated_at desc, _business_date desc, _seq desc, _file_path desc, _row_number desc
    ) = 1

),

final as (

    select
        record_no,
        {{ person_key('id_number') }} as person_key,
        is_usable,
        record_status,
        managing_institution_code,
        team_code,
        created_date,
        status_changed_date,
        updated_at,
        valid_from,
        lead(valid_from) over (partition by record_no order by valid_from) as valid_to,
        _batch_id || ':' || cast(_row_number as varchar) as source_row_key
    from last_of_day

)

select * from final
