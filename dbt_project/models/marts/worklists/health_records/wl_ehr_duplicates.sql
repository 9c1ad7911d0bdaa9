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

list_dates as (

    select
        as_of_date as list_date,
        previous_as_of_date as previous_list_date
    from evaluation_dates

),

listed as (

    select
        as_of_date as list_date,
        person_key,
        count(*) as record_count,
        string_agg(record_no, ';' order by record_no) as record_nos,
        string_agg(distinct managing_institution_code, ';' order by managing_institution_code) as institution_codes
    from records
    where is_active and person_key is not null
    group by as_of_date, person_key
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
