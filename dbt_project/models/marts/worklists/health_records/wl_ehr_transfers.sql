{#- 迁档清单: one row per list date (each evaluation month end) and record on
    the list, plus the records resolved since the previous list (shown once).
    Listed: active records of residents at D that are not where they should
    be (EHR_PLACED's denominator minus its numerator) and have an expected
    institution: 机构内 (right institution, wrong team: reassign to the
    contract team), 区域内 (another institution of the same district) or
    跨区域 (another district; edge rule 28 compares the managing and the
    expected institution's districts). A record with no expected institution
    (no valid contract, no B/C institution serving the street) is not listed.
    The open transfer request at D (处理状态 0; the latest by 申请日期) with
    its age in days. -#}

{%- set columns = [
    'list_date', 'record_no', 'person_key', 'transfer_class', 'managing_institution_code',
    'managing_team_code', 'expected_institution_code', 'expected_team_code', 'managing_district_code',
    'expected_district_code', 'open_request_no', 'open_request_age_days'] %}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

records as (

    select * from {{ ref('int_ehr_records_at_dates') }}

),

residents as (

    select * from {{ ref('int_ehr_residents_at_dates') }}

),

transfer_requests as (

    select * from {{ ref('fct_transfer_requests') }}

),

list_dates as (

    select
        as_of_date as list_date,
        previous_as_of_date as previous_list_date
    from evaluation_dates

),

misplaced as (

    select
        records.as_of_date as list_date,
        records.record_no,
        records.person_key,
        records.managing_institution_code,
        records.team_code as managing_team_code,
        residents.expected_institution_code,
        residents.expected_team_code,
        records.managing_district_code,
        residents.expected_district_code,
        case
            when records.managing_institution_code = residents.expected_institution_code then '机构内'
            when records.managing_district_code = residents.expected_district_code then '区域内'
            else '跨区域'
        end as transfer_class
    from records
    inner join residents
        on
            records.as_of_date = residents.as_of_date
            and records.person_key = residents.person_key
    where
        records.is_active
        and residents.expected_institution_code is not null
        and not coalesce(
            records.managing_institution_code = residents.expected_institution_code
            and (residents.expected_team_code is null or records.team_code = residents.expected_team_code),
            false
        )

),

open_requests as (

    select
        list_dates.list_date,
        transfer_requests.record_no,
        transfer_requests.request_no,
        list_dates.list_date - transfer_requests.requested_date as age_days
    from list_dates
    inner join transfer_requests
        on
            list_dates.list_date >= transfer_requests.valid_from
            and (transfer_requests.valid_to is null or list_dates.list_date < transfer_requests.valid_to)
    where transfer_requests.is_usable and transfer_requests.status_code = '0'
    qualify row_number() over (
        partition by list_dates.list_date, transfer_requests.record_no
        order by transfer_requests.requested_date desc, transfer_requests.request_no desc
    ) = 1

),

listed as (

    select
        misplaced.list_date,
        misplaced.record_no,
        misplaced.person_key,
        misplaced.transfer_class,
        misplaced.managing_institution_code,
        misplaced.managing_team_code,
        misplaced.expected_institution_code,
        misplaced.expected_team_code,
        misplaced.managing_district_code,
        misplaced.expected_district_code,
        open_requests.request_no as open_request_no,
        open_requests.age_days as open_request_age_days
    from misplaced
    left join open_requests
        on
            misplaced.list_date = open_requests.list_date
            and misplaced.record_no = open_requests.record_no

),

tracked as (
    {{- ehr_worklist_changes(['record_no'], columns) }}
),

final as (

    select
        cast(list_date as date) as list_date,
        cast(record_no as varchar) as record_no,
        cast(person_key as varchar) as person_key,
        cast(transfer_class as varchar) as transfer_class,
        cast(managing_institution_code as varchar) as managing_institution_code,
        cast(managing_team_code as varchar) as managing_team_code,
        cast(expected_institution_code as varchar) as expected_institution_code,
        cast(expected_team_code as varchar) as expected_team_code,
        cast(managing_district_code as varchar) as managing_district_code,
        cast(expected_district_code as varchar) as expected_district_code,
        cast(open_request_no as varchar) as open_request_no,
        cast(open_request_age_days as integer) as open_request_age_days,
        cast(change_since_previous as varchar) as change_since_previous
    from tracked

)

select * from final
