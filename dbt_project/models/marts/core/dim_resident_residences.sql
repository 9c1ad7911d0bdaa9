{#- One row per person and residence spell: consecutive population state
    dates (int_population_states) with the same street, 常住标志 and death
    date merged (gaps and islands). valid_to is the first state date that
    shows another state or no longer shows the person (exclusive); NULL when
    the spell is still open at the latest snapshot. -#}

with

states as (

    select * from {{ ref('int_population_states') }}

),

state_dates as (

    select distinct
        state_date,
        state_seq
    from states

),

islands as (

    select
        *,
        state_seq - row_number() over (
            partition by person_key, street_code, is_resident, death_date
            order by state_seq
        ) as island
    from states

),

spells as (

    select
        person_key,
        street_code,
        is_resident,
        death_date,
        any_value(district_code) as district_code,
        any_value(birth_date) as birth_date,
        any_value(sex_code) as sex_code,
        min(state_date) as valid_from,
        max(state_seq) as last_state_seq
    from islands
    group by person_key, street_code, is_resident, death_date, island

),

final as (

    select
        spells.person_key,
        spells.valid_from,
        next_dates.state_date as valid_to,
        spells.street_code,
        spells.district_code,
        spells.is_resident,
        spells.death_date,
        spells.birth_date,
        spells.sex_code
    from spells
    left join state_dates as next_dates
        on next_dates.state_seq = spells.last_state_seq + 1

)

select * from final
