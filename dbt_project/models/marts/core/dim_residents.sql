{#- One row per person ever in the population (a usable row of any
    population snapshot). Current columns describe the person as of the
    latest population state date: the latest spell's street; is_current_resident
    when that spell is open, 常住, and the person is not dead. life_stage is
    the age band at that date (deceased when dead): infant (< 1), preschool
    (1-6), school_age (7-17), adult (18-59), older_adult (60+). -#}

with

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

states as (

    select * from {{ ref('int_population_states') }}

),

latest_state_date as (

    select max(state_date) as as_of_date from states

),

person_dates as (

    select
        person_key,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        max(death_date) as death_date
    from states
    group by person_key

),

latest_spells as (

    select
        *,
        row_number() over (partition by person_key order by valid_from desc) as spell_rank
    from residences

),

aged as (

    select
        latest_spells.*,
        person_dates.first_snapshot_date,
        person_dates.last_snapshot_date,
        latest_state_date.as_of_date,
        person_dates.death_date as latest_death_date,
        {{ completed_years('latest_spells.birth_date', 'latest_state_date.as_of_date') }} as age_years
    from latest_spells
    inner join person_dates
        on latest_spells.person_key = person_dates.person_key
    cross join latest_state_date
    where latest_spells.spell_rank = 1

),

classified as (

    select
        *,
        coalesce(
            valid_to is null
            and is_resident
            and (latest_death_date is null or latest_death_date > as_of_date),
            false
        ) as is_current_resident,
        case
            when latest_death_date <= as_of_date then 'deceased'
            when age_years < 1 then 'infant'
            when age_years < 7 then 'preschool'
            when age_years < 18 then 'school_age'
            when age_years < 60 then 'adult'
            else 'older_adult'
        end as life_stage
    from aged

),

final as (

    select
        person_key,
        sex_code,
        birth_date,
        latest_death_date as death_date,
        street_code as current_street_code,
        district_code as current_district_code,
        is_current_resident,
        life_stage,
        first_snapshot_date,
        last_snapshot_date
    from classified

)

select * from final
