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

-- only the columns the count needs: the ASOF joins below sort these ~130 M rows at scale 1
active_records as (

    select
        as_of_date,
        record_no,
        person_key,
        managing_institution_code,
        managing_district_code
    from records
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

-- the latest entry on or before D for the record and for its person: ASOF joins find it
-- without pairing every entry of the year with every D (that pairing spilled more than
-- 35 GB at scale 1). Used at D = that entry is dated D-364 or later.
latest_entries as (

    select
        records_with_record_entry.*,
        person_entries.entry_date as last_person_entry_date
    from (
        select
            active_records.*,
            record_entries.entry_date as last_record_entry_date
        from active_records
        asof left join record_entries
            on
                active_records.record_no = record_entries.record_no
                and active_records.as_of_date >= record_entries.entry_date
    ) as records_with_record_entry
    asof left join person_entries
        on
            records_with_record_entry.person_key = person_entries.person_key
            and records_with_record_entry.as_of_date >= person_entries.entry_date

),

facts as (

    select
        periods.period_label,
        latest_entries.record_no as item_key,
        latest_entries.managing_institution_code as institution_code,
        latest_entries.managing_district_code as institution_district_code,
        cast(null as varchar) as team_code,
        coalesce(
            latest_entries.last_record_entry_date >= latest_entries.as_of_date - 364
            or latest_entries.last_person_entry_date >= latest_entries.as_of_date - 364,
            false
        ) as is_in_numerator,
        coalesce(latest_entries.managing_district_code, 'unknown') as district_code
    from periods
    inner join latest_entries
        on periods.period_end = latest_entries.as_of_date

),

units as (
    {{- indicator_unit_counts(['city', 'district', 'institution'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_USE') }}

select * from final
