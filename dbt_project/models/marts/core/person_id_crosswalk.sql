{#- One row per source record and the person it belongs to (Tuva's
    core__person_id_crosswalk): eye checks (every latest usable check, linked
    or not: person_key NULL when unlinked), birth certificates (the newborn),
    kindergarten and school rosters (one row per kindergarten or school and
    child), contracts and health records (latest usable version), and the
    population (one row per sending registry and person). The record key is
    never the clear ID: for rosters and the population it is the
    kindergarten's, school's or sender's code, with the person_key beside it. -#}

with

eye_check_links as (

    select * from {{ ref('identity_eye_check_links') }}

),

births as (

    select * from {{ ref('stg_birth__birth_certificates') }}
    where is_latest_version and is_usable and newborn_id_number is not null

),

kg_rosters as (

    select * from {{ ref('fct_kindergarten_enrolments') }}

),

school_entries as (

    select * from {{ ref('fct_school_entries') }}

),

contracts as (

    select * from {{ ref('stg_contract__contracts') }}
    where is_latest_version and is_usable and id_number is not null

),

health_records as (

    select * from {{ ref('stg_ehr_record__health_records') }}
    where is_latest_version and is_usable and id_number is not null

),

population as (

    select * from {{ ref('stg_population__persons') }}
    where is_latest_version and is_usable and id_number is not null

),

population_persons as (

    select distinct
        _sender as population_sender,
        id_number
    from population

),

unioned as (

    select
        'eye_check' as source_feed,
        eye_check_key as source_record_key,
        person_key,
        link_method
    from eye_check_links

    union all

    select
        'birth' as source_feed,
        birth_cert_no as source_record_key,
        {{ person_key('newborn_id_number') }} as person_key,
        'newborn_id' as link_method
    from births

    union all

    select distinct
        'kg_roster' as source_feed,
        kindergarten_code as source_record_key,
        person_key,
        'id_number' as link_method
    from kg_rosters

    union all

    select distinct
        'school_entry' as source_feed,
        school_code as source_record_key,
        person_key,
        'id_number' as link_method
    from school_entries

    union all

    select
        'contract' as source_feed,
        contract_no as source_record_key,
        {{ person_key('id_number') }} as person_key,
        'id_number' as link_method
    from contracts

    union all

    select
        'ehr_record' as source_feed,
        record_no as source_record_key,
        {{ person_key('id_number') }} as person_key,
        'id_number' as link_method
    from health_records

    union all

    select
        'population' as source_feed,
        population_sender as source_record_key,
        {{ person_key('id_number') }} as person_key,
        'id_number' as link_method
    from population_persons

),

final as (

    select
        source_feed,
        source_record_key,
        person_key,
        link_method
    from unioned

)

select * from final
