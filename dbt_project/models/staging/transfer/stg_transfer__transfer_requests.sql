{#- One row per delivered transfer-request row (every version: requests and their answers), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'transfer') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('transfer') }}
    from source

),

typed as (

    select
        *,
        request_no__text as request_no,
        record_no__text as record_no,
        {{ normalize_id('id_number__raw') }} as id_number,
        from_institution_code__text as from_institution_code,
        to_institution_code__text as to_institution_code,
        {{ parse_date('request_date__raw') }} as request_date,
        {{ contract_code('reason_code__raw', 'transfer', 'reason_code') }} as reason_code,
        {{ contract_code('status_code__raw', 'transfer', 'status_code') }} as status_code,
        {{ parse_date('answered_date__raw') }} as answered_date,
        {{ contract_code('escalated_flag__raw', 'transfer', 'escalated_flag') }} as escalated_flag,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('transfer') }},
        {{ latest_version_flag(['request_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['request_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key
        request_no,
        -- request
        record_no,
        id_number,
        id_number is not null as id_number_is_valid,
        from_institution_code,
        to_institution_code,
        request_date,
        reason_code,
        status_code,
        answered_date,
        escalated_flag,
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
