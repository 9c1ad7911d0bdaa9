{#- One row per delivered health-record row (every version of every record), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'ehr_record') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('ehr_record') }}
    from source

),

typed as (

    select
        *,
        record_no__text as record_no,
        {{ normalize_id('id_number__raw') }} as id_number,
        name__text as name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        managing_institution_code__text as managing_institution_code,
        team_code__text as team_code,
        {{ parse_date('created_date__raw') }} as created_date,
        {{ contract_code('record_status__raw', 'ehr_record', 'record_status') }} as record_status,
        {{ parse_date('status_changed_date__raw') }} as status_changed_date,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('ehr_record') }},
        {{ latest_version_flag(['record_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['record_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key
        record_no,
        -- person
        id_number,
        id_number is not null as id_number_is_valid,
        name,
        sex_code,
        birth_date,
        -- record
        managing_institution_code,
        team_code,
        created_date,
        record_status,
        status_changed_date,
        updated_at,
        -- quality and versions
        reason_codes,
        is_usable,
        is_latest_version,
        next_version_updated_at,
        -- lineage
        {{- lineage_columns() }}
    from flagged

)

select * from final
