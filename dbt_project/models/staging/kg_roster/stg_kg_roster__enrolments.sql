{#- One row per delivered roster row (child on a kindergarten's roster) of every roster file, typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'kg_roster') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('kg_roster') }}
    from source

),

typed as (

    select
        *,
        kindergarten_code__text as kindergarten_code,
        kindergarten_name__text as kindergarten_name,
        street_code__text as street_code,
        {{ normalize_id('child_id_number__raw') }} as child_id_number,
        child_name__text as child_name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        class_name__text as class_name,
        {{ parse_date('enrol_date__raw') }} as enrol_date,
        -- a roster replaces, per kindergarten, that kindergarten's previous roster
        kindergarten_code__text as snapshot_scope,
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
        {{ row_reasons('kg_roster') }},
        {{ latest_version_flag(['typed.snapshot_date', 'kindergarten_code', 'child_id_number']) }}
            as is_latest_version
    from typed
    inner join snapshot_dates
        on
            typed.snapshot_scope is not distinct from snapshot_dates.snapshot_scope
            and typed.snapshot_date = snapshot_dates.snapshot_date

),

final as (

    select
        -- record key within a snapshot
        kindergarten_code,
        child_id_number,
        child_id_number is not null as child_id_number_is_valid,
        -- kindergarten
        kindergarten_name,
        street_code,
        -- child
        child_name,
        sex_code,
        birth_date,
        class_name,
        enrol_date,
        -- snapshot (per kindergarten): valid from snapshot_date until next_snapshot_date
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
