{#- One row per delivered family-doctor contract row (every version of every contract), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'contract') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('contract') }}
    from source

),

typed as (

    select
        *,
        contract_no__text as contract_no,
        {{ normalize_id('id_number__raw') }} as id_number,
        team_code__text as team_code,
        institution_code__text as institution_code,
        {{ parse_date('signed_date__raw') }} as signed_date,
        {{ parse_date('effective_date__raw') }} as effective_date,
        {{ parse_date('expiry_date__raw') }} as expiry_date,
        {{ contract_code('contract_status__raw', 'contract', 'contract_status') }} as contract_status,
        {{ parse_date('terminated_date__raw') }} as terminated_date,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('contract') }},
        {{ latest_version_flag(['contract_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['contract_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key
        contract_no,
        -- contract
        id_number,
        id_number is not null as id_number_is_valid,
        team_code,
        institution_code,
        signed_date,
        effective_date,
        expiry_date,
        contract_status,
        terminated_date,
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
