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

-- read where used, never materialized (DuckDB would otherwise write it to disk first)
services as not materialized (

    select * from {{ ref('fct_ehr_services') }}
    where is_usable and service_date is not null

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}
    where person_key is not null and check_date is not null

),

active_records as (

    select * from records
    where is_active and person_key is not null

),

record_entries as (

    select distinct
        record_no,
        service_date as entry_date
    from services
    where record_no is not null

),

person_entries as (

    select distinct
        person_key,
        entry_date
    from (
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
    ) as entries

),

-- An entry on day e makes its record (or person) used on every D from e to e + 364. Those
-- days merged into intervals per record and per person, which the active records join
-- (build side: a few million intervals), instead of pairing entries with dates or sorting
-- the ~130 M records at the month ends of a scale-1 year.
record_intervals as (

    {{ covered_intervals('record_entries', 'record_no', 'entry_date', 364) }}

),

person_intervals as (

    {{ covered_intervals('person_entries', 'person_key', 'entry_date', 364) }}

),

-- read by every level of the count: recomputed there (two joins on small build sides)
-- rather than written to disk (~180 M rows with quarters and years at scale 1)
facts as not materialized (

    select
        periods.period_label,
        active_records.record_no as item_key,
        active_records.managing_institution_code as institution_code,
        active_records.managing_district_code as institution_district_code,
        cast(null as varchar) as team_code,
        record_intervals.record_no is not null
        or person_intervals.person_key is not null as is_in_numerator,
        coalesce(active_records.managing_district_code, 'unknown') as district_code
    from periods
    inner join active_records
        on periods.period_end = active_records.as_of_date
    left join record_intervals
        on
            active_records.record_no = record_intervals.record_no
            and active_records.as_of_date between record_intervals.covered_from and record_intervals.covered_to
    left join person_intervals
        on
            active_records.person_key = person_intervals.person_key
            and active_records.as_of_date between person_intervals.covered_from and person_intervals.covered_to

),

units as (
    {{- indicator_unit_counts(['city', 'district', 'institution'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_USE') }}

select * from final
