{#- One row per delivered entrant row (a pupil on a school's first-grade roster) of every roster file. -#}

with

source as (

    select * from {{ source('raw', 'school_entry') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('school_entry') }}
    from source

),

typed as (

    select
        *,
        school_code__text as school_code,
        school_name__text as school_name,
        {{ normalize_id('student_id_number__raw') }} as student_id_number,
        student_name__text as student_name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        {{ parse_date('entry_date__raw') }} as entry_date,
        former_kindergarten_code__text as former_kindergarten_code,
        -- a roster replaces, per school, that school's previous roster
        school_code__text as snapshot_scope,
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
        {{ row_reasons('school_entry') }},
        {{ latest_version_flag(['typed.snapshot_date', 'school_code', 'student_id_number']) }}
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
        school_code,
        student_id_number,
        student_id_number is not null as student_id_number_is_valid,
        -- school
        school_name,
        -- pupil
        student_name,
        sex_code,
        birth_date,
        entry_date,
        former_kindergarten_code,
        -- snapshot (per school): valid from snapshot_date until next_snapshot_date
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
