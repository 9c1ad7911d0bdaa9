{#- EHR_USE 健康档案使用率 (动态使用率). One row per calendar period, level
    (city, district, institution) and unit. Denominator: active records at the
    period's end D with a valid ID (edge rule 25; records of the dead and of
    non-residents included); numerator: those with a dynamic entry dated
    D-364 … D: a usable service (core.fct_ehr_services) for the record or
    its person, or an eye check of the person (core.fct_eye_checks). District:
    the managing institution's 所在区划代码 as of D; institution: the managing
    institution. -#}

with

periods as (

    select * from {{ ref('ehr_indicator_periods') }}

),

records as (

    select * from {{ ref('int_ehr_records_at_dates') }}

),

-- read where used, never materialized (DuckDB would write a CTE read twice to disk
-- first: ~130 M active records at the month ends of a scale-1 year)
services as not materialized (

    select * from {{ ref('fct_ehr_services') }}
    where is_usable and service_date is not null

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}
    where person_key is not null

),

active_records as not materialized (

    select * from records
    where is_active and person_key is not null

),

person_entries as (

    select
        person_key,
        service_date as entry_date
    from services
    where person_key is not null
    union all
    select
        person_key,
        check_date as entry_date
    from eye_checks

),

used_by_record as (

    select distinct
        active_records.as_of_date,
        active_records.record_no
    from active_records
    inner join services
        on
            active_records.record_no = services.record_no
            and services.service_date between active_records.as_of_date - 364 and active_records.as_of_date

),

used_by_person as (

    select distinct
        active_records.as_of_date,
        active_records.record_no
    from active_records
    inner join person_entries
        on
            active_records.person_key = person_entries.person_key
            and person_entries.entry_date between active_records.as_of_date - 364 and active_records.as_of_date

),

used as (

    select * from used_by_record
    union
    select * from used_by_person

),

facts as (

    select
        periods.period_label,
        active_records.record_no as item_key,
        active_records.managing_institution_code as institution_code,
        active_records.managing_district_code as institution_district_code,
        cast(null as varchar) as team_code,
        used.record_no is not null as is_in_numerator,
        coalesce(active_records.managing_district_code, 'unknown') as district_code
    from periods
    inner join active_records
        on periods.period_end = active_records.as_of_date
    left join used
        on
            active_records.as_of_date = used.as_of_date
            and active_records.record_no = used.record_no

),

units as (
    {{- indicator_unit_counts(['city', 'district', 'institution']) }}
),

{{ ehr_result_columns('EHR_USE') }}

select * from final
