{#- Stale list: one row per list date (each evaluation month end) and active
    record at D whose person is not in the resident population at D (edge
    rule 28), plus the records resolved since the previous list (shown once).
    stale_reason: `dead` (a population snapshot on or before D shows a death
    on or before D), `not_resident` (in the population at D, not 常住 or not
    yet born), `not_in_population` (absent from the population at D).
    Records with an invalid ID belong to no person and are not listed. -#}

{%- set columns = ['list_date', 'record_no', 'person_key', 'managing_institution_code', 'stale_reason'] %}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

records as (

    select * from {{ ref('int_ehr_records_at_dates') }}

),

residents as (

    select * from {{ ref('int_ehr_residents_at_dates') }}

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

list_dates as (

    select
        as_of_date as list_date,
        previous_as_of_date as previous_list_date
    from evaluation_dates

),

population_status as (

    select
        list_dates.list_date,
        residences.person_key,
        bool_or(residences.death_date <= list_dates.list_date) as is_dead,
        bool_or(
            residences.valid_to is null or residences.valid_to > list_dates.list_date
        ) as is_in_population
    from list_dates
    inner join residences
        on list_dates.list_date >= residences.valid_from
    group by list_dates.list_date, residences.person_key

),

listed as (

    select
        records.as_of_date as list_date,
        records.record_no,
        records.person_key,
        records.managing_institution_code,
        case
            when population_status.is_dead then 'dead'
            when population_status.is_in_population then 'not_resident'
            else 'not_in_population'
        end as stale_reason
    from records
    left join residents
        on
            records.as_of_date = residents.as_of_date
            and records.person_key = residents.person_key
    left join population_status
        on
            records.as_of_date = population_status.list_date
            and records.person_key = population_status.person_key
    where
        records.is_active
        and records.person_key is not null
        and residents.person_key is null

),

tracked as (
    {{- ehr_worklist_changes(['record_no'], columns) }}
),

final as (

    select
        cast(list_date as date) as list_date,
        cast(record_no as varchar) as record_no,
        cast(person_key as varchar) as person_key,
        cast(managing_institution_code as varchar) as managing_institution_code,
        cast(stale_reason as varchar) as stale_reason,
        cast(change_since_previous as varchar) as change_since_previous
    from tracked

)

select * from final
