{#- One row per delivered eye_check row (every version of every check), typed and flagged. -#}

with

source as (

    select * from {{ source('raw', 'eye_check') }}

),

cleaned as (

    select
        {{- cleaned_contract_columns('eye_check') }}
    from source

),

typed as (

    select
        *,
        check_no__text as check_no,
        {{ normalize_id('child_id_number__raw') }} as child_id_number,
        child_name__text as child_name,
        {{ normalize_sex('sex_code__raw') }} as sex_code,
        {{ parse_date('birth_date__raw') }} as birth_date,
        {{ normalize_id('mother_id_number__raw') }} as mother_id_number,
        {{ parse_date('check_date__raw') }} as check_date,
        {{ contract_code('check_stage__raw', 'eye_check', 'check_stage') }} as check_stage,
        {{ normalize_va_notation('va_notation__raw') }} as va_notation,
        {{ va_to_5point('va_right__raw', normalize_va_notation('va_notation__raw')) }} as va_right,
        {{ va_to_5point('va_left__raw', normalize_va_notation('va_notation__raw')) }} as va_left,
        {{ contract_code('result_code__raw', 'eye_check', 'result_code') }} as result_code,
        {{ contract_code('action_code__raw', 'eye_check', 'action_code') }} as action_code,
        referral_institution_code__text as referral_institution_code,
        origin_check_no__text as origin_check_no,
        {{ parse_datetime('updated_at__raw') }} as updated_at
    from cleaned

),

flagged as (

    select
        *,
        {{ row_reasons('eye_check') }},
        {{ latest_version_flag(['_sender', 'check_no'], 'updated_at') }} as is_latest_version,
        {{ next_version_at(['_sender', 'check_no'], 'updated_at') }} as next_version_updated_at
    from typed

),

final as (

    select
        -- record key (edge rule 10: unique within the sending institution)
        _sender,
        check_no,
        -- person
        child_id_number,
        child_id_number is not null as child_id_number_is_valid,
        child_name,
        sex_code,
        birth_date,
        mother_id_number,
        mother_id_number is not null as mother_id_number_is_valid,
        -- check
        check_date,
        check_stage,
        va_right,
        va_left,
        va_notation,
        result_code,
        action_code,
        referral_institution_code,
        origin_check_no,
        updated_at,
        -- quality and versions
        reason_codes,
        is_usable,
        is_latest_version,
        next_version_updated_at,
        -- lineage
        {{- lineage_columns(exclude=['_sender']) }}
    from flagged

)

select * from final
