{#- The district bureaus' escalation list: one row per list date (each
    evaluation month end) and transfer request on the list, plus the requests
    resolved since the previous list (shown once). Listed: requests as known
    at D (version in force, usable) still open (处理状态 0) between
    institutions of two districts (registry as of D; `unknown` for an
    institution missing from the registry at D, so such a request is listed
    unless both are unknown) that are open more than N days (D − 申请日期 > N,
    N = ehr_settings.escalation_open_days, 15) or flagged 协调转办. -#}
{%- set columns = [
    'list_date', 'request_no', 'record_no', 'person_key', 'from_institution_code', 'from_district_code',
    'to_institution_code', 'to_district_code', 'age_days', 'is_escalated_flag'] %}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

transfer_requests as (

    select * from {{ ref('fct_transfer_requests') }}

),

institution_districts as (

    select
        as_of_date as list_date,
        institution_code,
        district_code
    from {{ ref('int_institution_districts_at_dates') }}

),

settings as (

    select * from {{ ref('ehr_settings') }}

),

list_dates as (

    select
        as_of_date as list_date,
        previous_as_of_date as previous_list_date
    from evaluation_dates

),

open_requests as (

    select
        list_dates.list_date,
        transfer_requests.request_no,
        transfer_requests.record_no,
        transfer_requests.person_key,
        transfer_requests.from_institution_code,
        transfer_requests.to_institution_code,
        transfer_requests.is_escalated,
        list_dates.list_date - transfer_requests.requested_date as age_days
    from list_dates
    inner join transfer_requests
        on
            list_dates.list_date >= transfer_requests.valid_from
            and (transfer_requests.valid_to is null or list_dates.list_date < transfer_requests.valid_to)
    where transfer_requests.is_usable and transfer_requests.status_code = '0'

),

listed as (

    select
        open_requests.list_date,
        open_requests.request_no,
        open_requests.record_no,
        open_requests.person_key,
        open_requests.from_institution_code,
        open_requests.to_institution_code,
        open_requests.age_days,
        open_requests.is_escalated as is_escalated_flag,
        coalesce(from_districts.district_code, 'unknown') as from_district_code,
        coalesce(to_districts.district_code, 'unknown') as to_district_code
    from open_requests
    cross join settings
    left join institution_districts as from_districts
        on
            open_requests.list_date = from_districts.list_date
            and open_requests.from_institution_code = from_districts.institution_code
    left join institution_districts as to_districts
        on
            open_requests.list_date = to_districts.list_date
            and open_requests.to_institution_code = to_districts.institution_code
    where
        coalesce(from_districts.district_code, 'unknown') <> coalesce(to_districts.district_code, 'unknown')
        and (open_requests.age_days > settings.escalation_open_days or open_requests.is_escalated)

),

tracked as (
    {{- ehr_worklist_changes(['request_no'], columns) }}
),

final as (

    select
        cast(list_date as date) as list_date,
        cast(request_no as varchar) as request_no,
        cast(record_no as varchar) as record_no,
        cast(person_key as varchar) as person_key,
        cast(from_institution_code as varchar) as from_institution_code,
        cast(from_district_code as varchar) as from_district_code,
        cast(to_institution_code as varchar) as to_institution_code,
        cast(to_district_code as varchar) as to_district_code,
        cast(age_days as integer) as age_days,
        cast(is_escalated_flag as boolean) as is_escalated_flag,
        cast(change_since_previous as varchar) as change_since_previous
    from tracked

)

select * from final
