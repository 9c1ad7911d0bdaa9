{#- One row per evaluation date of the health-record chain: each calendar
    month end the data covers. A month end counts when it is one of
    int_population_month_ends (at most 31 days after the latest population
    snapshot), after the first population snapshot (that snapshot is the
    opening population), and the month has started by the latest 更新时间 date
    of the health-record feeds (never a month with no data). Quarter and year
    ends are month ends. -#}

with

month_ends as (

    select * from {{ ref('int_population_month_ends') }}

),

record_versions as (

    select * from {{ ref('int_health_record_versions') }}

),

transfer_requests as (

    select * from {{ ref('fct_transfer_requests') }}

),

data_range as (

    select max(valid_from) as last_data_date
    from (
        select valid_from from record_versions
        union all
        select valid_from from transfer_requests
    ) as versions

),

final as (

    select
        month_ends.as_of_date,
        month_ends.month_start,
        lag(month_ends.as_of_date) over (order by month_ends.as_of_date) as previous_as_of_date
    from month_ends
    cross join data_range
    where
        month_ends.as_of_date > month_ends.first_snapshot_date
        and month_ends.month_start <= data_range.last_data_date

)

select * from final
