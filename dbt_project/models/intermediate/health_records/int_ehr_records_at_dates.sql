{#- One row per evaluation date D and health record that exists at D: the
    record's state span holding D (edge rule 13: latest version by 更新时间
    date on or before D, even when unusable), with the managing institution's
    所在区划代码 in the registry as of D (edge rule 14, resolved once in
    int_institution_districts_at_dates: the ~130 M record rows of a scale-1
    year are joined, never ranked). -#}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

record_states as (

    select * from {{ ref('fct_health_record_states') }}

),

institution_districts as (

    select * from {{ ref('int_institution_districts_at_dates') }}

),

records_at_dates as (

    select
        evaluation_dates.as_of_date,
        record_states.record_no,
        record_states.person_key,
        record_states.record_status,
        record_states.is_usable,
        record_states.is_active,
        record_states.managing_institution_code,
        record_states.team_code,
        record_states.valid_from as state_valid_from
    from evaluation_dates
    inner join record_states
        on
            evaluation_dates.as_of_date >= record_states.valid_from
            and (record_states.valid_to is null or evaluation_dates.as_of_date < record_states.valid_to)

),

final as (

    select
        records_at_dates.*,
        institution_districts.district_code as managing_district_code
    from records_at_dates
    left join institution_districts
        on
            records_at_dates.as_of_date = institution_districts.as_of_date
            and records_at_dates.managing_institution_code = institution_districts.institution_code

)

select * from final
