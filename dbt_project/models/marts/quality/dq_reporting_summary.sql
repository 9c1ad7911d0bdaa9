{#- Reporting completeness and timeliness per feed and month.
    One row per feed × due month. -#}

with

completeness as (

    select * from {{ ref('dq_reporting_completeness') }}

),

final as (

    select
        feed,
        report_month,
        count(*) as senders_expected,
        count(case when is_reported then 1 end) as senders_reported,
        round(100.0 * count(case when is_reported then 1 end) / count(*), 1)
            as completeness_rate,
        sum(files_accepted) as files_accepted,
        sum(files_on_time) as files_on_time,
        case
            when sum(files_accepted) > 0
                then round(100.0 * sum(files_on_time) / sum(files_accepted), 1)
        end as timeliness_rate,
        sum(files_refused) as files_refused
    from completeness
    group by feed, report_month

)

select * from final
