{#- One row per delivered team row of every team-registry snapshot, typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'team') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('team') }}
    from source

),

typed as (

    select
        *,
        team_code__text as team_code,
        institution_code__text as institution_code,
        team_name__text as team_name,
        {{ contract_code('active_flag__raw', 'team', 'active_flag') }} as active_flag,
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
        {{ row_reasons('team') }},
        {{ latest_version_flag(['typed.snapshot_scope', 'typed.snapshot_date', 'team_code']) }}
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
        team_code,
        -- team
        institution_code,
        team_name,
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
