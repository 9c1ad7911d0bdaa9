{#- One row per calendar reporting period of the health-record indicators:
    months (2026-01), quarters (2026Q1 = Jan-Mar) and years (2026), each
    evaluated at its last day. A period is listed when its last day is an
    evaluation date (int_ehr_evaluation_dates: after the first population
    snapshot, at most 31 days after the latest one, in a month the data has
    reached). -#}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

month_periods as (

    select
        'month' as period_type,
        strftime(month_start, '%Y-%m') as period_label,
        month_start as period_start,
        as_of_date as period_end
    from evaluation_dates

),

quarter_periods as (

    select
        'quarter' as period_type,
        cast(year(as_of_date) as varchar) || 'Q' || cast(quarter(as_of_date) as varchar) as period_label,
        cast(date_trunc('quarter', as_of_date) as date) as period_start,
        as_of_date as period_end
    from evaluation_dates
    where month(as_of_date) in (3, 6, 9, 12)

),

year_periods as (

    select
        'year' as period_type,
        cast(year(as_of_date) as varchar) as period_label,
        cast(date_trunc('year', as_of_date) as date) as period_start,
        as_of_date as period_end
    from evaluation_dates
    where month(as_of_date) = 12

),

all_periods as (

    select * from month_periods
    union all
    select * from quarter_periods
    union all
    select * from year_periods

),

final as (

    select
        cast(period_type as varchar) as period_type,
        cast(period_label as varchar) as period_label,
        cast(null as integer) as statistical_year,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast('calendar' as varchar) as period_basis
    from all_periods

)

select * from final
