{#- One row per delivered person row of every population snapshot, typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'population') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('population') }}
    from source

),

typed as (

    select
        *,
        {{ normalize_id('id_number__raw') }} as id_number,
        name__text as name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        hukou_district_code__text as hukou_district_code,
        street_code__text as street_code,
        {{ parse_date('street_since_date__raw') }} as street_since_date,
        {{ contract_code('resident_flag__raw', 'population', 'resident_flag') }} as resident_flag,
        {{ parse_date('death_date__raw') }} as death_date,
        {{ parse_datetime('updated_at__raw') }} as updated_at,
        _sender as snapshot_scope,
        _business_date as snapshot_date
    from cleaned

),

snapshots as (

    select distinct
        snapshot_scope,
        snapshot_date
    from typed

),

snapshot_dates as (

    select
        snapshot_scope,
        snapshot_date,
        lead(snapshot_date) over (
            partition by snapshot_scope order by snapshot_date
        ) as next_snapshot_date
    from snapshots

),

flagged as (

    select
        typed.*,
        snapshot_dates.next_snapshot_date,
        {{ row_reasons('population') }},
        {{ latest_version_flag(['typed.snapshot_scope', 'typed.snapshot_date', 'id_number'], 'updated_at') }}
            as is_latest_version
    from typed
    inner join snapshot_dates
        on
            typed.snapshot_scope = snapshot_dates.snapshot_scope
            and typed.snapshot_date = snapshot_dates.snapshot_date

),

final as (

    select
        -- person key within a snapshot
        id_number,
        id_number is not null as id_number_is_valid,
        -- person
        name,
        sex_code,
        birth_date,
        hukou_district_code,
        street_code,
        street_since_date,
        resident_flag,
        death_date,
        updated_at,
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
