{#- One row per calendar month end the population data covers: from the month of the
    first population snapshot to the latest snapshot + 31 days (the month whose month-end
    snapshot is due; the previous snapshot stands in until it arrives). Computed once for
    int_residents_at_month_ends (the vision chain's D) and int_ehr_evaluation_dates (the
    health-record chain's, which also needs the first snapshot's date). -#}

with

population_states as (

    select * from {{ ref('int_population_states') }}

),

snapshot_range as (

    select
        min(state_date) as first_snapshot_date,
        max(state_date) as last_snapshot_date
    from population_states

),

month_ends as (

    select
        snapshot_range.first_snapshot_date,
        snapshot_range.last_snapshot_date,
        cast(months.month_start as date) as month_start,
        last_day(cast(months.month_start as date)) as as_of_date
    from snapshot_range
    cross join
        generate_series(
            date_trunc('month', snapshot_range.first_snapshot_date),
            date_trunc('month', snapshot_range.last_snapshot_date + 31),
            interval 1 month
        ) as months (month_start)

),

final as (

    select
        as_of_date,
        month_start,
        first_snapshot_date,
        last_snapshot_date
    from month_ends
    where as_of_date <= last_snapshot_date + 31

)

select * from final
