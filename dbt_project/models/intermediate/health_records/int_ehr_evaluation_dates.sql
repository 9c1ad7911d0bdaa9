{#- One row per evaluation date of the health-record chain: each calendar
    month end the data covers. A month end counts when it is after the first
    population snapshot (that snapshot is the opening population), at most 31
    days after the latest population snapshot (the month whose month-end
    snapshot is due; the previous snapshot stands in until it arrives), and
    the month has started by the latest 更新时间 date of the health-record
    feeds (never a month with no data). Quarter and year ends are month ends. -#}

with

population_states as (

    select * from {{ ref('int_population_states') }}

),

record_versions as (

    select * from {{ ref('int_health_record_versions') }}

),

transfer_requests as (

    select * from {{ ref('fct_transfer_requests') }}

),

snapshot_range as (

    select
        min(state_date) as first_snapshot_date,
        max(state_date) as last_snapshot_date
    from population_states

),

data_range as (

    select max(valid_from) as last_data_date
    from (
        select valid_from from record_versions
        union all
        select valid_from from transfer_requests
    ) as versions

),

month_ends as (

    select
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
        month_ends.as_of_date,
        month_ends.month_start,
        lag(month_ends.as_of_date) over (order by month_ends.as_of_date) as previous_as_of_date
    from month_ends
    cross join snapshot_range
    cross join data_range
    where
        month_ends.as_of_date > snapshot_range.first_snapshot_date
        and month_ends.as_of_date <= snapshot_range.last_snapshot_date + 31
        and month_ends.month_start <= data_range.last_data_date

)

select * from final
