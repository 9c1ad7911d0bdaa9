{#-
    One row per reporting period of the vision indicators: the statistical year (统计年度 Y runs
    1 October Y-1 … 30 September Y), its four year-to-date quarters and twelve year-to-date months.

    Which periods: the statistical years from the one that follows the first population snapshot
    (a snapshot on 30 September is the opening population of the next year, not a monitored year)
    to the one holding the latest snapshot; within them only periods that end no later than
    the latest population snapshot + 31 days, so a month is published once its own month-end
    snapshot is due (the previous one stands in until it arrives) and never for a month with no data.
-#}

with

residents as (

    select * from {{ ref('dim_residents') }}

),

snapshot_range as (

    select
        min(residents.first_snapshot_date) as first_snapshot_date,
        max(residents.last_snapshot_date) as last_snapshot_date
    from residents

),

statistical_years as (

    select
        snapshot_range.last_snapshot_date,
        cast(years.statistical_year as integer) as statistical_year,
        make_date(cast(years.statistical_year as integer) - 1, 10, 1) as year_start
    from snapshot_range
    cross join
        generate_series(
            year(snapshot_range.first_snapshot_date + 1)
            + case when month(snapshot_range.first_snapshot_date + 1) >= 10 then 1 else 0 end,
            year(snapshot_range.last_snapshot_date)
            + case when month(snapshot_range.last_snapshot_date) >= 10 then 1 else 0 end
        ) as years (statistical_year)

),

year_periods as (

    select
        'year' as period_type,
        cast(statistical_year as varchar) as period_label,
        statistical_year,
        year_start as period_start,
        make_date(statistical_year, 9, 30) as period_end,
        last_snapshot_date
    from statistical_years

),

quarter_periods as (

    select
        'quarter' as period_type,
        cast(statistical_years.statistical_year as varchar) || 'Q' || cast(quarters.quarter_no as varchar)
            as period_label,
        statistical_years.statistical_year,
        statistical_years.year_start as period_start,
        last_day(
            cast(statistical_years.year_start + to_months(cast(3 * quarters.quarter_no - 1 as integer)) as date)
        ) as period_end,
        statistical_years.last_snapshot_date
    from statistical_years
    cross join generate_series(1, 4) as quarters (quarter_no)

),

month_periods as (

    select
        'month' as period_type,
        strftime(
            cast(statistical_years.year_start + to_months(cast(months.month_no - 1 as integer)) as date), '%Y-%m'
        ) as period_label,
        statistical_years.statistical_year,
        statistical_years.year_start as period_start,
        last_day(
            cast(statistical_years.year_start + to_months(cast(months.month_no - 1 as integer)) as date)
        ) as period_end,
        statistical_years.last_snapshot_date
    from statistical_years
    cross join generate_series(1, 12) as months (month_no)

),

all_periods as (

    select * from year_periods
    union all
    select * from quarter_periods
    union all
    select * from month_periods

),

final as (

    select
        cast(period_type as varchar) as period_type,
        cast(period_label as varchar) as period_label,
        cast(statistical_year as integer) as statistical_year,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end
    from all_periods
    where period_end <= last_snapshot_date + 31

)

select * from final
