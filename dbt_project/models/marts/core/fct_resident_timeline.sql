{#- One row per life event of a person (person_key only): the first
    population snapshot showing the person (population_first_seen), each
    later change of street / 常住标志 / death date (residence_change), leaving
    the population (population_left), death, birth (birth certificate), eye
    checks, the first roster of each kindergarten the child is on
    (kindergarten_enrolment, dated by 入园日期 or else the roster date) and
    school entry. Later chains append their events. Key: person_key,
    event_type, source_feed, source_record_key, event_date. -#}

with

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

births as (

    select * from {{ ref('stg_birth__birth_certificates') }}
    where is_latest_version and is_usable and newborn_id_number is not null

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}
    where person_key is not null

),

kg_enrolments as (

    select * from {{ ref('fct_kindergarten_enrolments') }}

),

school_entries as (

    select * from {{ ref('fct_school_entries') }}

),

ordered_spells as (

    select
        *,
        row_number() over (partition by person_key order by valid_from) as spell_seq,
        lead(valid_from) over (partition by person_key order by valid_from) as next_valid_from
    from residences

),

deaths as (

    select
        person_key,
        min(death_date) as death_date
    from residences
    where death_date is not null
    group by person_key

),

kg_first as (

    select
        person_key,
        kindergarten_code,
        coalesce(min(enrol_date), min(snapshot_date)) as event_date,
        min(snapshot_date) as first_roster_date
    from kg_enrolments
    group by person_key, kindergarten_code

),

school_first as (

    select
        person_key,
        school_code,
        coalesce(min(entry_date), min(snapshot_date)) as event_date
    from school_entries
    group by person_key, school_code

),

events as (

    select
        person_key,
        valid_from as event_date,
        case when spell_seq = 1 then 'population_first_seen' else 'residence_change' end as event_type,
        'population' as source_feed,
        strftime(valid_from, '%Y-%m-%d') as source_record_key,
        'street ' || coalesce(street_code, '?') || case when is_resident then ' resident' else ' non-resident' end
            as detail
    from ordered_spells

    union all

    select
        person_key,
        valid_to as event_date,
        'population_left' as event_type,
        'population' as source_feed,
        strftime(valid_to, '%Y-%m-%d') as source_record_key,
        'no longer in the population snapshot' as detail
    from ordered_spells
    where valid_to is not null and next_valid_from is distinct from valid_to

    union all

    select
        person_key,
        death_date as event_date,
        'death' as event_type,
        'population' as source_feed,
        strftime(death_date, '%Y-%m-%d') as source_record_key,
        null as detail
    from deaths

    union all

    select
        {{ person_key('newborn_id_number') }} as person_key,
        birth_date as event_date,
        'birth' as event_type,
        'birth' as source_feed,
        birth_cert_no as source_record_key,
        'delivered at ' || coalesce(delivery_institution_code, '?') as detail
    from births

    union all

    select
        person_key,
        check_date as event_date,
        'eye_check' as event_type,
        'eye_check' as source_feed,
        eye_check_key as source_record_key,
        'stage ' || coalesce(check_stage, '?')
        || case when shows_poor_vision then ', poor vision' else '' end
        || case when is_flagged then ', flagged' else '' end as detail
    from eye_checks

    union all

    select
        person_key,
        event_date,
        'kindergarten_enrolment' as event_type,
        'kg_roster' as source_feed,
        kindergarten_code as source_record_key,
        'first on the roster of ' || strftime(first_roster_date, '%Y-%m-%d') as detail
    from kg_first

    union all

    select
        person_key,
        event_date,
        'school_entry' as event_type,
        'school_entry' as source_feed,
        school_code as source_record_key,
        null as detail
    from school_first

),

final as (

    select
        person_key,
        event_date,
        event_type,
        source_feed,
        source_record_key,
        detail
    from events
    where event_date is not null

)

select * from final
