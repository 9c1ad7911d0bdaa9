{#- One row per family-doctor contract and version span (from
    int_contract_versions): the version in force from its 更新时间 date
    (valid_from) to the next version's 更新时间 date (valid_to, exclusive;
    NULL = current). Of several versions on one day only the last stands, so
    the day's earlier versions (empty spans) are left out. institution_code is
    the team's institution in the team registry as of valid_from (edge rules
    14 and 23; inactive teams still count), else the contract's 签约机构代码.
    Valid at D: the span holding D, usable, status 1 and effective_date <= D
    <= expiry_date. -#}

with

contract_versions as (

    select * from {{ ref('int_contract_versions') }}

),

teams as (

    select * from {{ ref('int_teams_as_of') }}

),

standing_versions as (

    select * from contract_versions
    where valid_to is null or valid_to > valid_from

),

with_team_institution as (

    select
        standing_versions.*,
        teams.institution_code as team_institution_code
    from standing_versions
    left join teams
        on
            standing_versions.team_code = teams.team_code
            and standing_versions.valid_from >= teams.valid_from
            and (teams.valid_to is null or standing_versions.valid_from < teams.valid_to)
    qualify row_number() over (
        partition by standing_versions.contract_no, standing_versions.valid_from
        order by teams.snapshot_date desc nulls last, teams.sender_code asc
    ) = 1

),

final as (

    select
        cast(contract_no as varchar) as contract_no,
        cast(person_key as varchar) as person_key,
        cast(team_code as varchar) as team_code,
        cast(coalesce(team_institution_code, institution_code) as varchar) as institution_code,
        cast(institution_code as varchar) as contract_institution_code,
        cast(signed_date as date) as signed_date,
        cast(effective_date as date) as effective_date,
        cast(expiry_date as date) as expiry_date,
        cast(contract_status as varchar) as contract_status,
        cast(terminated_date as date) as terminated_date,
        cast(is_usable as boolean) as is_usable,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(valid_to is null as boolean) as is_current
    from with_team_institution

)

select * from final
