{#- One row per person: every valid normalized ID number seen on a usable
    latest row of population, birth (the newborn), eye_check (the child),
    kg_roster, school_entry, contract or ehr_record, with its person_key and
    the name to show (latest population name, else birth record, else roster
    or check). Restricted: the identity store of docs/vision-chain.md. -#}

with

population as (

    select * from {{ ref('stg_population__persons') }}
    where is_usable and is_latest_version and id_number is not null

),

births as (

    select * from {{ ref('stg_birth__birth_certificates') }}
    where is_usable and is_latest_version and newborn_id_number is not null

),

eye_checks as (

    select * from {{ ref('stg_eye_check__eye_checks') }}
    where is_usable and is_latest_version and child_id_number is not null

),

kg_rosters as (

    select * from {{ ref('stg_kg_roster__enrolments') }}
    where is_usable and is_latest_version and child_id_number is not null

),

school_entries as (

    select * from {{ ref('stg_school_entry__entrants') }}
    where is_usable and is_latest_version and student_id_number is not null

),

contracts as (

    select * from {{ ref('stg_contract__contracts') }}
    where is_usable and is_latest_version and id_number is not null

),

health_records as (

    select * from {{ ref('stg_ehr_record__health_records') }}
    where is_usable and is_latest_version and id_number is not null

),

-- every sighting of an ID; name_priority: 1 population, 2 birth, 3 rosters and checks
sightings as (

    select
        id_number,
        name,
        1 as name_priority,
        snapshot_date as seen_on,
        updated_at
    from population

    union all

    select
        newborn_id_number as id_number,
        newborn_name as name,
        2 as name_priority,
        birth_date as seen_on,
        updated_at
    from births

    union all

    select
        child_id_number as id_number,
        child_name as name,
        3 as name_priority,
        check_date as seen_on,
        updated_at
    from eye_checks

    union all

    select
        child_id_number as id_number,
        child_name as name,
        3 as name_priority,
        snapshot_date as seen_on,
        null::timestamp as updated_at
    from kg_rosters

    union all

    select
        student_id_number as id_number,
        student_name as name,
        3 as name_priority,
        snapshot_date as seen_on,
        null::timestamp as updated_at
    from school_entries

    union all

    select
        id_number,
        null as name,
        4 as name_priority,
        signed_date as seen_on,
        updated_at
    from contracts

    union all

    select
        id_number,
        null as name,
        4 as name_priority,
        null::date as seen_on,
        updated_at
    from health_records

),

ranked as (

    select
        id_number,
        name,
        row_number() over (
            partition by id_number
            order by
                name is null,
                name_priority asc,
                seen_on desc nulls last,
                updated_at desc nulls last,
                name asc
        ) as name_rank
    from sightings

),

final as (

    select
        {{ person_key('id_number') }} as person_key,
        id_number,
        name,
        {{ id_sex('id_number') }} as sex_code,
        {{ id_birth_date('id_number') }} as birth_date
    from ranked
    where name_rank = 1

)

select * from final
