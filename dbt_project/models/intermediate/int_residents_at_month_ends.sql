{#- One row per month end D and person of the resident population at D
    (docs/vision-chain.md: the residence spell of core.dim_resident_residences
    holding D, 常住标志 1, born on or before D, not dead on or before D). Dates:
    every calendar month end from the month of the first population snapshot
    to the latest population snapshot + 31 days (the month whose month-end
    snapshot is due; the previous snapshot stands in until it arrives). Shared
    by the vision indicators (D = the period's end) and the health-record
    chain (D = the evaluation date). -#}

with

population_states as (

    select * from {{ ref('int_population_states') }}

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

snapshot_range as (

    select
        min(state_date) as first_snapshot_date,
        max(state_date) as last_snapshot_date
    from population_states

),

month_ends as (

    select last_day(cast(months.month_start as date)) as as_of_date
    from snapshot_range
    cross join
        generate_series(
            date_trunc('month', snapshot_range.first_snapshot_date),
            date_trunc('month', snapshot_range.last_snapshot_date + 31),
            interval 1 month
        ) as months (month_start)
    where last_day(cast(months.month_start as date)) <= snapshot_range.last_snapshot_date + 31

),

residents as (

    select
        month_ends.as_of_date,
        residences.person_key,
        residences.street_code,
        residences.sex_code,
        residences.birth_date,
        coalesce(residences.district_code, 'unknown') as district_code
    from month_ends
    inner join residences
        on
            month_ends.as_of_date >= residences.valid_from
            and (residences.valid_to is null or month_ends.as_of_date < residences.valid_to)
    where
        residences.is_resident
        and residences.birth_date <= month_ends.as_of_date
        and (residences.death_date is null or residences.death_date > month_ends.as_of_date)
    -- one residence per person and date, should two senders' snapshots both hold the person
    qualify row_number() over (
        partition by month_ends.as_of_date, residences.person_key
        order by residences.district_code, residences.street_code
    ) = 1

),

final as (

    select
        as_of_date,
        person_key,
        street_code,
        district_code,
        sex_code,
        birth_date
    from residents

)

select * from final
