{#- One row per month end D and person of the resident population at D
    (docs/vision-chain.md: the residence spell of core.dim_resident_residences
    holding D, 常住标志 1, born on or before D, not dead on or before D), at
    every month end of int_population_month_ends. Shared by the vision
    indicators (D = the period's end) and the health-record chain (D = the
    evaluation date). -#}

with

month_ends as (

    select as_of_date from {{ ref('int_population_month_ends') }}

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

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
