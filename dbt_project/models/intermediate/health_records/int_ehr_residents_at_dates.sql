{#- One row per evaluation date D and person of the resident population at D
    (docs/vision-chain.md; taken from the shared int_residents_at_month_ends),
    with the district of residence and the expected institution and team
    (indicators.md, edge rules 23-24): the valid contract at D (usable
    version in force, 签约状态 1, 生效日期 <= D <= 到期日期; ties: latest
    生效日期, 签约日期, 签约编号), its team's institution in the team
    registry as of D (inactive teams count), else the contract's 签约机构代码;
    without a valid contract the active B/C institution serving the person's
    street at D (smallest code), no team. -#}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

residents_at_month_ends as (

    select * from {{ ref('int_residents_at_month_ends') }}

),

contract_states as (

    select * from {{ ref('fct_contract_states') }}

),

teams as (

    select * from {{ ref('int_teams_as_of') }}

),

street_institutions as (

    select * from {{ ref('int_street_institutions') }}

),

institution_districts as (

    select * from {{ ref('int_institution_districts_at_dates') }}

),

-- the resident population at each evaluation date (shared: int_residents_at_month_ends)
residents as (

    select
        evaluation_dates.as_of_date,
        residents_at_month_ends.person_key,
        residents_at_month_ends.street_code,
        residents_at_month_ends.district_code
    from evaluation_dates
    inner join residents_at_month_ends
        on evaluation_dates.as_of_date = residents_at_month_ends.as_of_date

),

valid_contracts as (

    select
        evaluation_dates.as_of_date,
        contract_states.person_key,
        contract_states.contract_no,
        contract_states.team_code,
        contract_states.contract_institution_code
    from evaluation_dates
    inner join contract_states
        on
            evaluation_dates.as_of_date >= contract_states.valid_from
            and (contract_states.valid_to is null or evaluation_dates.as_of_date < contract_states.valid_to)
    where
        contract_states.is_usable
        and contract_states.person_key is not null
        and contract_states.contract_status = '1'
        and contract_states.effective_date <= evaluation_dates.as_of_date
        and contract_states.expiry_date >= evaluation_dates.as_of_date
    qualify row_number() over (
        partition by evaluation_dates.as_of_date, contract_states.person_key
        order by
            contract_states.effective_date desc,
            contract_states.signed_date desc nulls last,
            contract_states.contract_no desc
    ) = 1

),

contract_institutions as (

    select
        valid_contracts.*,
        coalesce(teams.institution_code, valid_contracts.contract_institution_code) as institution_code
    from valid_contracts
    left join teams
        on
            valid_contracts.team_code = teams.team_code
            and valid_contracts.as_of_date >= teams.valid_from
            and (teams.valid_to is null or valid_contracts.as_of_date < teams.valid_to)
    qualify row_number() over (
        partition by valid_contracts.as_of_date, valid_contracts.person_key
        order by teams.snapshot_date desc nulls last, teams.sender_code asc
    ) = 1

),

expected as (

    select
        residents.as_of_date,
        residents.person_key,
        residents.street_code,
        residents.district_code,
        contract_institutions.contract_no as expected_contract_no,
        contract_institutions.team_code as expected_team_code,
        coalesce(contract_institutions.institution_code, street_institutions.institution_code)
            as expected_institution_code,
        case
            when contract_institutions.contract_no is not null then 'contract'
            when street_institutions.institution_code is not null then 'street'
        end as expected_basis
    from residents
    left join contract_institutions
        on
            residents.as_of_date = contract_institutions.as_of_date
            and residents.person_key = contract_institutions.person_key
    left join street_institutions
        on
            residents.street_code = street_institutions.street_code
            and residents.as_of_date >= street_institutions.valid_from
            and (street_institutions.valid_to is null or residents.as_of_date < street_institutions.valid_to)

),

final as (

    select
        expected.as_of_date,
        expected.person_key,
        expected.street_code,
        expected.district_code,
        expected.expected_contract_no,
        expected.expected_team_code,
        expected.expected_institution_code,
        expected.expected_basis,
        institution_districts.district_code as expected_district_code
    from expected
    left join institution_districts
        on
            expected.as_of_date = institution_districts.as_of_date
            and expected.expected_institution_code = institution_districts.institution_code

)

select * from final
