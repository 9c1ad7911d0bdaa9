{#- One row per person and residence spell: consecutive population state
    dates (int_population_states) with the same street, 常住标志 and death
    date merged (gaps and islands). valid_to is the first state date that
    shows another state or no longer shows the person (exclusive); NULL when
    the spell is still open at the latest snapshot.

    Most people show one state on consecutive dates: a hash aggregate finds
    them (as many states as the span of their state numbers), and only the
    states of the rest go through the gaps-and-islands window. Sorting every
    state of a scale-1 year (126 M rows) spilled tens of GB. -#}

with

-- read where used, never materialized: three CTEs read it, and DuckDB would otherwise
-- write all 126 M states of a scale-1 year to disk first
states as not materialized (

    select * from {{ ref('int_population_states') }}

),

state_dates as (

    select distinct
        state_date,
        state_seq
    from states

),

-- one row per person and state shown (street, 常住标志, death date)
state_groups as (

    select
        person_key,
        street_code,
        is_resident,
        death_date,
        any_value(district_code) as district_code,
        any_value(birth_date) as birth_date,
        any_value(sex_code) as sex_code,
        min(state_date) as valid_from,
        min(state_seq) as first_state_seq,
        max(state_seq) as last_state_seq,
        count(*) as state_count
    from states
    group by person_key, street_code, is_resident, death_date

),

-- a state shown on consecutive dates is one spell (columns as island_spells)
one_spell_groups as (

    select
        person_key,
        street_code,
        is_resident,
        death_date,
        district_code,
        birth_date,
        sex_code,
        valid_from,
        last_state_seq
    from state_groups
    where state_count = last_state_seq - first_state_seq + 1

),

-- a state shown again after another state or an absence is several spells
interrupted_groups as (

    select
        person_key,
        street_code,
        is_resident,
        death_date
    from state_groups
    where state_count < last_state_seq - first_state_seq + 1

),

islands as (

    select
        states.*,
        states.state_seq - row_number() over (
            partition by states.person_key, states.street_code, states.is_resident, states.death_date
            order by states.state_seq
        ) as island
    from states
    inner join interrupted_groups  -- one row per group: selects, never multiplies
        on
            states.person_key = interrupted_groups.person_key
            and states.street_code is not distinct from interrupted_groups.street_code
            and states.is_resident is not distinct from interrupted_groups.is_resident
            and states.death_date is not distinct from interrupted_groups.death_date

),

island_spells as (

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

spells as (

    select * from one_spell_groups
    union all
    select * from island_spells

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
