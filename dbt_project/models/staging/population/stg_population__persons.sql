{#- One row per delivered person row of every population snapshot, typed and flagged. -#}

with

source as not materialized (

    -- source, cleaned and typed are inlined, never materialized: several CTEs read them,
    -- and DuckDB would otherwise keep every wide row (126 M a year at scale 1) and spill
    -- them: 38 GB in 4.5 min under the 8 GB cap; two snapshots: 3.4 GB -> none, 97 -> 82 s
    select * from {{ source('raw', 'population') }}

),

cleaned as not materialized (

    select
        {{- cleaned_contract_columns('population') }}
    from source

),

typed as not materialized (

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

snapshot_dates as (

    {{ snapshot_succession('typed') }}

),

keyed as (

    -- The latest version per (snapshot, ID) without a window over whole rows (126 M rows
    -- a year at scale 1): keys are counted by their hash (8 bytes a row); only rows of a
    -- repeated hash are ranked, by the real key (a collision adds candidates, never a
    -- wrong pair), and the rows that lose are the older versions. Same ranking as
    -- latest_version_flag; on two scale-1 snapshots under a 3 GB cap it spills 3.4 GB
    -- instead of 9.3 (docs/benchmarks.md).
    select
        _batch_id,
        _row_number,
        snapshot_scope,
        snapshot_date,
        id_number,
        updated_at,
        _business_date,
        _seq,
        _file_path,
        hash(snapshot_scope, snapshot_date, id_number) as key_hash
    from typed
    where
        snapshot_scope is not null
        and snapshot_date is not null
        and id_number is not null
        and updated_at is not null

),

repeated_keys as (

    select key_hash
    from keyed
    group by key_hash
    having count(*) > 1

),

older_versions as (

    select
        _batch_id,
        _row_number
    from keyed
    where key_hash in (select repeated_keys.key_hash from repeated_keys)
    qualify row_number() over (
        partition by snapshot_scope, snapshot_date, id_number
        order by updated_at desc, _business_date desc, _seq desc, _file_path desc, _row_number desc
    ) > 1

),

flagged as (

    select
        typed.*,
        snapshot_dates.next_snapshot_date,
        {{ row_reasons('population') }},
        (
            typed.snapshot_scope is not null
            and typed.snapshot_date is not null
            and typed.id_number is not null
            and typed.updated_at is not null
            and older_versions._row_number is null
        ) as is_latest_version
    from typed
    left join older_versions
        on
            typed._batch_id = older_versions._batch_id
            and typed._row_number = older_versions._row_number
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
