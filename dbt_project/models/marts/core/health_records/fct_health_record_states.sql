{#- One row per health record and state span: consecutive version days of a
    record with the same person, status, usability, managing institution and
    team merged (gaps and islands over int_health_record_versions). The record
    as of D is the span with valid_from <= D < coalesce(valid_to, infinity). -#}

with

versions as (

    select * from {{ ref('int_health_record_versions') }}

),

institutions as (

    select * from {{ ref('int_institutions_as_of') }}

),

state_keys as (

    select
        *,
        concat_ws(
            '|',
            coalesce(person_key, '-'),
            coalesce(record_status, '-'),
            coalesce(cast(is_usable as varchar), '-'),
            coalesce(managing_institution_code, '-'),
            coalesce(team_code, '-')
        ) as state_key
    from versions

),

changes as (

    select
        *,
        case
            when lag(state_key) over (partition by record_no order by valid_from) = state_key then 0
            else 1
        end as is_new_state
    from state_keys

),

islands as (

    select
        *,
        sum(is_new_state) over (
            partition by record_no order by valid_from rows between unbounded preceding and current row
        ) as state_no
    from changes

),

states as (

    select
        record_no,
        state_no,
        any_value(person_key) as person_key,
        any_value(record_status) as record_status,
        any_value(is_usable) as is_usable,
        any_value(managing_institution_code) as managing_institution_code,
        any_value(team_code) as team_code,
        min(valid_from) as valid_from,
        count(*) as version_count,
        max(updated_at) as last_updated_at
    from islands
    group by record_no, state_no

),

-- a span ends where the next state starts (exclusive); null = current
spans as (

    select
        *,
        lead(valid_from) over (partition by record_no order by valid_from) as valid_to
    from states

),

with_district as (

    select
        spans.*,
        institutions.district_code as managing_district_code
    from spans
    left join institutions
        on
            spans.managing_institution_code = institutions.institution_code
            and spans.valid_from >= institutions.valid_from
            and (institutions.valid_to is null or spans.valid_from < institutions.valid_to)
    qualify row_number() over (
        partition by spans.record_no, spans.valid_from
        order by institutions.snapshot_date desc nulls last, institutions.sender_code asc
    ) = 1

),

final as (

    select
        cast(record_no as varchar) as record_no,
        cast(person_key as varchar) as person_key,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(valid_to is null as boolean) as is_current,
        cast(record_status as varchar) as record_status,
        cast(coalesce(record_status = '1' and is_usable, false) as boolean) as is_active,
        cast(is_usable as boolean) as is_usable,
        cast(managing_institution_code as varchar) as managing_institution_code,
        cast(managing_district_code as varchar) as managing_district_code,
        cast(team_code as varchar) as team_code,
        cast(version_count as integer) as version_count,
        cast(last_updated_at as timestamp) as last_updated_at
    from with_district

)

select * from final
