{#- EHR_UNIQUE 一人一档率. One row per calendar period, level (city,
    district) and unit. Denominator: resident persons at the period's end
    with at least one active record; numerator: those with exactly one active
    record (any institution). District of residence at that date. -#}

with

periods as (

    select * from {{ ref('ehr_indicator_periods') }}

),

residents as (

    select * from {{ ref('int_ehr_residents_at_dates') }}

),

records as (

    select * from {{ ref('int_ehr_records_at_dates') }}

),

active_record_counts as (

    select
        as_of_date,
        person_key,
        count(*) as active_records
    from records
    where is_active and person_key is not null
    group by as_of_date, person_key

),

facts as (

    select
        periods.period_label,
        residents.person_key as item_key,
        residents.district_code,
        cast(null as varchar) as institution_code,
        cast(null as varchar) as institution_district_code,
        cast(null as varchar) as team_code,
        active_record_counts.active_records = 1 as is_in_numerator
    from periods
    inner join residents
        on periods.period_end = residents.as_of_date
    inner join active_record_counts
        on
            residents.as_of_date = active_record_counts.as_of_date
            and residents.person_key = active_record_counts.person_key

),

units as (
    {{- indicator_unit_counts(['city', 'district'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_UNIQUE') }}

select * from final
