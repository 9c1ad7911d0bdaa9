{#- Which expected deliveries came, and on time (DHIS2-style reporting completeness).
    One row per feed × sender × due month of the reporting span. -#}

with

delivered_files as (

    select * from {{ ref('stg_ingest__delivered_files') }}

),

schedule as (

    select * from {{ ref('delivery_schedule') }}

),

institutions as (

    select * from {{ ref('stg_institution__institutions') }}
    where is_usable and is_latest_version

),

deliveries as (

    -- unreadable names have no sender; a duplicate (e.g. an unchanged monthly
    -- registry snapshot) still shows the sender delivered for its month
    select
        delivered_files.*,
        cast({{ dbt.date_trunc('month', 'delivered_files.business_date') }} as date)
            as report_month
    from delivered_files
    where delivered_files.sender <> ''

),

accepted as (

    select * from deliveries
    where status in ('loaded', 'superseded')

),

months as (

    select distinct
        report_month,
        cast({{ dbt.last_day('report_month', 'month') }} as date) as month_end
    from accepted

),

feed_starts as (

    -- a feed is owed from the first month the platform accepted any of it
    select
        feed,
        min(report_month) as first_month
    from accepted
    group by feed

),

due as (

    select
        schedule.feed,
        schedule.mandatory_categories,
        months.report_month,
        months.month_end
    from schedule
    inner join feed_starts
        on schedule.feed = feed_starts.feed
    inner join months
        on feed_starts.first_month <= months.report_month
    where
        schedule.cadence = 'monthly'
        or ';' || schedule.due_months || ';'
        like '%;' || cast(extract(month from months.report_month) as varchar) || ';%'

),

first_deliveries as (

    select
        feed,
        sender,
        min(report_month) as first_month
    from accepted
    group by feed, sender

),

registry_snapshots as (

    select distinct
        _sender,
        snapshot_date
    from institutions

),

registry_choice as (

    -- edge rule 14: per sender, the latest snapshot on or before the month's last day,
    -- else its earliest
    select
        months.report_month,
        registry_snapshots._sender,
        coalesce(
            max(
                case
                    when registry_snapshots.snapshot_date <= months.month_end
                        then registry_snapshots.snapshot_date
                end
            ),
            min(registry_snapshots.snapshot_date)
        ) as snapshot_date
    from months
    cross join registry_snapshots
    group by months.report_month, registry_snapshots._sender

),

registry_at_month_end as (

    select
        registry_choice.report_month,
        institutions.institution_code,
        institutions.institution_category,
        institutions.active_flag
    from registry_choice
    inner join institutions
        on
            registry_choice._sender = institutions._sender
            and registry_choice.snapshot_date = institutions.snapshot_date

),

expected_reporters as (

    -- an established reporter owes every due month from its first delivery on
    select
        due.feed,
        due.report_month,
        first_deliveries.sender
    from due
    inner join first_deliveries
        on
            due.feed = first_deliveries.feed
            and due.report_month >= first_deliveries.first_month

),

expected_by_category as (

    -- every active institution of a mandatory category owes the feed
    select
        due.feed,
        due.report_month,
        registry_at_month_end.institution_code as sender
    from due
    inner join registry_at_month_end
        on due.report_month = registry_at_month_end.report_month
    where
        registry_at_month_end.active_flag = '1'
        and ';' || coalesce(due.mandatory_categories, '') || ';'
        like '%;' || registry_at_month_end.institution_category || ';%'

),

expected as (

    select
        feed,
        report_month,
        sender
    from expected_reporters
    union
    select
        feed,
        report_month,
        sender
    from expected_by_category

),

received as (

    select
        deliveries.feed,
        deliveries.sender,
        deliveries.report_month,
        count(case when deliveries.status in ('loaded', 'superseded') then 1 end)
            as files_accepted,
        count(case when deliveries.status in ('rejected', 'quarantined') then 1 end)
            as files_refused,
        count(case when deliveries.status = 'duplicate' then 1 end) as files_duplicate,
        count(
            case
                when
                    deliveries.status in ('loaded', 'superseded')
                    and deliveries.arrival_date
                    <= {{ dbt.dateadd('day', 'schedule.timely_within_days', 'deliveries.business_date') }}
                    then 1
            end
        ) as files_on_time,
        sum(deliveries.rows_loaded) as rows_loaded,
        max(deliveries.arrived_at) as last_arrived_at
    from deliveries
    inner join schedule
        on deliveries.feed = schedule.feed
    group by deliveries.feed, deliveries.sender, deliveries.report_month

),

institution_names as (

    select
        institution_code,
        institution_name,
        district_code,
        row_number() over (
            partition by institution_code order by snapshot_date desc
        ) as newest
    from institutions

),

final as (

    select
        expected.feed,
        expected.sender,
        institution_names.institution_name,
        institution_names.district_code,
        expected.report_month,
        received.last_arrived_at,
        coalesce(received.files_accepted, 0) as files_accepted,
        coalesce(received.files_refused, 0) as files_refused,
        coalesce(received.files_on_time, 0) as files_on_time,
        coalesce(received.files_accepted, 0) - coalesce(received.files_on_time, 0)
            as files_late,
        coalesce(received.files_duplicate, 0) as files_duplicate,
        coalesce(received.rows_loaded, 0) as rows_loaded,
        coalesce(received.files_accepted, 0) + coalesce(received.files_duplicate, 0) > 0
            as is_reported
    from expected
    left join received
        on
            expected.feed = received.feed
            and expected.sender = received.sender
            and expected.report_month = received.report_month
    left join institution_names
        on
            expected.sender = institution_names.institution_code
            and institution_names.newest = 1

)

select * from final
