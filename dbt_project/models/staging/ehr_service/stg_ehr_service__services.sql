{#- One row per delivered service row (every version of every service record), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'ehr_service') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('ehr_service') }}
    from source

),

typed as (

    select
        *,
        service_no__text as service_no,
        record_no__text as record_no,
        {{ normalize_id('id_number__raw') }} as id_number,
        service_institution_code__text as service_institution_code,
        {{ contract_code('service_type__raw', 'ehr_service', 'service_type') }} as service_type,
        {{ parse_date('service_date__raw') }} as service_date,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('ehr_service') }},
        {{ latest_version_flag(['service_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['service_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key
        service_no,
        -- service
        record_no,
        id_number,
        id_number is not null as id_number_is_valid,
        service_institution_code,
        service_type,
        service_date,
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
