{#- One row per delivered institution row of every registry snapshot, typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'institution') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('institution') }}
    from source

),

typed as (

    select
        *,
        institution_code__text as institution_code,
        institution_name__text as institution_name,
        {{ contract_code('institution_category__raw', 'institution', 'institution_category') }} as institution_category,
        district_code__text as district_code,
        served_street_codes__text as served_street_codes,
        {{ contract_code('active_flag__raw', 'institution', 'active_flag') }} as active_flag,
        _sender as snapshot_scope,
        _business_date as snapshot_date
    from cleaned

),

snapshot_dates as (

    {{ snapshot_succession('typed') }}

),

flagged as (

    select
        typed.*,
        snapshot_dates.next_snapshot_date,
        {{ row_reasons('institution') }},
        {{ latest_version_flag(['typed.snapshot_scope', 'typed.snapshot_date', 'institution_code']) }}
            as is_latest_version
    from typed
    inner join snapshot_dates
        on
            typed.snapshot_scope = snapshot_dates.snapshot_scope
            and typed.snapshot_date = snapshot_dates.snapshot_date

),

final as (

    select
        -- record key within a snapshot
        institution_code,
        {{ is_valid_uscc('institution_code') }} as institution_code_is_valid,
        -- institution
        institution_name,
        institution_category,
        district_code,
        served_street_codes,
        active_flag,
        -- snapshot (per sender): valid from snapshot_date until next_snapshot_date
        snapshot_date,
        next_snapshot_date,
        -- quality and versions
        reason_codes,
        is_usable,
        is_latest_version,
        -- lineage
        {{- lineage_columns() }}
    from flagged

)

select * from final
