{#- EHR_PLACED 档案归属正确率 (档随人走). One row per calendar period, level
    (city, district, institution, team) and unit. Denominator: active records
    at the period's end whose person is a resident then; numerator: those
    held by the expected institution and, where there is an expected team, by
    that team (edge rule 26: with no expected team the record's team is
    ignored; with no expected institution the record is not placed). City and
    district by the resident's district; institution and team by the managing
    institution and team (their district: the managing institution's). -#}

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

facts as (

    select
        periods.period_label,
        records.record_no as item_key,
        residents.district_code,
        records.managing_institution_code as institution_code,
        records.managing_district_code as institution_district_code,
        records.team_code,
        coalesce(
            records.managing_institution_code = residents.expected_institution_code
            and (residents.expected_team_code is null or records.team_code = residents.expected_team_code),
            false
        ) as is_in_numerator
    from periods
    inner join records
        on periods.period_end = records.as_of_date
    inner join residents
        on
            records.as_of_date = residents.as_of_date
            and records.person_key = residents.person_key
    where records.is_active

),

units as (
    {{- indicator_unit_counts(['city', 'district', 'institution', 'team'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_PLACED') }}

select * from final
