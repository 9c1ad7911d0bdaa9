{#- EHR_XFER_TIMELY 迁档申请及时回复率. One row per calendar period, level
    (city, district, institution) and unit. Denominator: transfer requests as
    known at the period's end D (the version in force at D: requests first
    recorded after D do not exist, answers recorded after D are not known;
    usable, valid ID) whose 申请日期 + N days falls in the period; numerator:
    those answered (处理状态 1 or 2) with 处理日期 − 申请日期 <= N days (an
    answer without 处理日期 is not timely); N = ehr_settings.xfer_reply_days
    (7). District: the 迁出机构's 所在区划代码
    as of D; institution: the 迁出机构 (edge rule 27). -#}

with

periods as (

    select * from {{ ref('ehr_indicator_periods') }}

),

transfer_requests as (

    select * from {{ ref('fct_transfer_requests') }}

),

institutions as (

    select * from {{ ref('int_institutions_as_of') }}

),

settings as (

    select * from {{ ref('ehr_settings') }}

),

requests_at_period_end as (

    select
        periods.period_label,
        periods.period_end,
        transfer_requests.request_no,
        transfer_requests.from_institution_code,
        coalesce(
            transfer_requests.status_code in ('1', '2')
            and transfer_requests.answered_date is not null
            and transfer_requests.answered_date - transfer_requests.requested_date <= settings.xfer_reply_days,
            false
        ) as is_timely
    from periods
    cross join settings
    inner join transfer_requests
        on
            periods.period_end >= transfer_requests.valid_from
            and (transfer_requests.valid_to is null or periods.period_end < transfer_requests.valid_to)
    where
        transfer_requests.is_usable
        and transfer_requests.person_key is not null
        and transfer_requests.requested_date + settings.xfer_reply_days
        between periods.period_start and periods.period_end

),

facts as (

    select
        requests_at_period_end.period_label,
        requests_at_period_end.request_no as item_key,
        requests_at_period_end.is_timely as is_in_numerator,
        requests_at_period_end.from_institution_code as institution_code,
        institutions.district_code as institution_district_code,
        cast(null as varchar) as team_code,
        coalesce(institutions.district_code, 'unknown') as district_code
    from requests_at_period_end
    left join institutions
        on
            requests_at_period_end.from_institution_code = institutions.institution_code
            and requests_at_period_end.period_end >= institutions.valid_from
            and (institutions.valid_to is null or requests_at_period_end.period_end < institutions.valid_to)
    qualify row_number() over (
        partition by requests_at_period_end.period_label, requests_at_period_end.request_no
        order by institutions.snapshot_date desc nulls last, institutions.sender_code asc
    ) = 1

),

units as (
    {{- indicator_unit_counts(['city', 'district', 'institution'], items_unique=true) }}
),

{{ ehr_result_columns('EHR_XFER_TIMELY') }}

select * from final
