{#- One row per delivered birth-certificate row (every version), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'birth') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('birth') }}
    from source

),

typed as (

    select
        *,
        birth_cert_no__text as birth_cert_no,
        newborn_name__text as newborn_name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        {{ normalize_id('mother_id_number__raw') }} as mother_id_number,
        {{ normalize_id('newborn_id_number__raw') }} as newborn_id_number,
        delivery_institution_code__text as delivery_institution_code,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('birth') }},
        {{ latest_version_flag(['birth_cert_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['birth_cert_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key
        birth_cert_no,
        -- birth
        newborn_name,
        sex_code,
        birth_date,
        mother_id_number,
        mother_id_number is not null as mother_id_number_is_valid,
        newborn_id_number,
        newborn_id_number is not null as newborn_id_number_is_valid,
        delivery_institution_code,
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
