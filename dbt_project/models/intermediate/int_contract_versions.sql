{#- One row per delivered contract version (a row with 签约编号 and a
    readable 更新时间), person_key instead of the ID. As of D (edge rule 13)
    the version in force is the one with valid_from <= D < valid_to (NULL =
    open): valid_from is its 更新时间 date, valid_to the next version's
    更新时间 date, so of several versions on one day only the last stands.
    The version in force decides even when unusable (is_usable false: the
    contract counts nowhere at D). Validity at D (edge rule 23) is
    contract_status = '1' and effective_date <= D <= expiry_date; the
    team's institution comes from int_teams_as_of, else institution_code. -#}

with

contracts as (

    select * from {{ ref('stg_contract__contracts') }}
    where contract_no is not null and updated_at is not null

),

final as (

    select
        contract_no,
        _batch_id || ':' || cast(_row_number as varchar) as contract_version_key,
        {{ person_key('id_number') }} as person_key,
        team_code,
        institution_code,
        signed_date,
        effective_date,
        expiry_date,
        contract_status,
        terminated_date,
        updated_at,
        cast(updated_at as date) as valid_from,
        cast(next_version_updated_at as date) as valid_to,
        is_usable,
        is_latest_version
    from contracts

)

select * from final
