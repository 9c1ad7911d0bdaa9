{#- Duplicate list (一人多档): one row per list date (each evaluation month
    end) and person with two or more active records at D, resident or not
    (edge rule 28), plus the persons resolved since the previous list (shown
    once). Records with an invalid ID belong to no person and are not listed. -#}

{%- set columns = ['list_date', 'person_key', 'record_count', 'record_nos', 'institution_codes'] %}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

records as (

    select * from {{ ref('int_ehr_records_at_dates') }}

),

record_states as (

    select * from {{ ref('fct_health_record_states') }}

),

list_dates as (

    select
        as_of_date as list_date,
        previous_as_of_date as previous_list_date
    from evaluation_dates

),

-- people who ever hold two or more active records, found on the record spans (~10 M at
-- scale 1) before the per-date rows (~130 M) are grouped and their records listed: grouping
-- every person and date with ordered lists spilled tens of GB
persons_with_several_records as (

    select person_key
    from record_states
    where is_active and person_key is not null
    group by person_key
    having count(distinct record_no) >= 2

),

listed as (

    select
        records.as_of_date as list_date,
        records.person_key,
        count(*) as record_count,
        string_agg(records.record_no, ';' order by records.record_no) as record_nos,
        string_agg(
            distinct records.managing_institution_code, ';'
            order by records.managing_institution_code
        ) as institution_codes
    from records
    inner join persons_with_several_records
        on records.person_key = persons_with_several_records.person_key
    where records.is_active
    group by records.as_of_date, records.person_key
    having count(*) >= 2

),

tracked as (
    {{- ehr_worklist_changes(['person_key'], columns) }}
),

final as (

    select
        cast(list_date as date) as list_date,
        cast(person_key as varchar) as person_key,
        cast(record_count as integer) as record_count,
        cast(record_nos as varchar) as record_nos,
        cast(institution_codes as varchar) as institution_codes,
        cast(change_since_previous as varchar) as change_since_previous
    from tracked

)

select * from final
