{#- EHR_COV 电子健康档案建档率. One row per calendar period, level (city,
    district) and unit. Denominator: the resident population at the period's
    end, by district of residence; numerator: those with at least one active
    record at that date (latest version by 更新时间 date on or before D has
    档案状态 1 and is usable). City: distinct persons. -#}

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

persons_with_active_record as (

    select distinct
        as_of_date,
        person_key
    from records
    where is_active and person_key is not null

),

facts as (

    select
        periods.period_label,
        residents.person_key as item_key,
        residents.district_code,
        cast(null as varchar) as institution_code,
        cast(null as varchar) as institution_district_code,
        cast(null as varchar) as team_code,
        persons_with_active_record.person_key is not null as is_in_numerator
    from periods
    inner join residents
        on periods.period_end = residents.as_of_date
    left join persons_with_active_record
        on
            residents.as_of_date = persons_with_active_record.as_of_date
            and residents.person_key = persons_with_active_record.person_key

),

units as (
    {{- indicator_unit_counts(['city', 'district'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_COV') }}

select * from final
