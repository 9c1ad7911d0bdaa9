{#-
    干预清单 for VIS_FOLLOWUP: one row per list date and child. List dates: each month end of the
    statistical year up to the latest data (the month periods of indicator_periods; the September
    list is the year-end list). On the list at D: every resident child at D whose first flagged
    check of the statistical year up to D (rule 18, as VIS_FOLLOWUP) has no follow-up (rule 19)
    dated on or before D, whether its window is still open (days_overdue < 0) or has ended.
    Responsible team: the team of the child's valid contract at D (rules 13, 23); responsible
    institution: that team's institution in the team registry at D, else the contract's 签约机构;
    without a contract, the B/C institution serving the child's street at D (rule 24); its district
    is the institution's 所在区划代码 at D, else the child's district. Kindergarten: the latest
    roster on or before D that lists the child.
    Names (not personal data, for the people who act on the list): institutions and teams by the
    registry at D (int_institutions_as_of, int_teams_as_of; rule 14), else the latest name any
    snapshot gives; the kindergarten's name from its latest roster that names it.
-#}

with

periods as (

    select * from {{ ref('indicator_periods') }}

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}

),

settings as (

    select * from {{ ref('vision_settings') }}

),

contracts as (

    select * from {{ ref('int_contract_versions') }}

),

teams as (

    select * from {{ ref('int_teams_as_of') }}

),

institutions as (

    select * from {{ ref('int_institutions_as_of') }}

),

street_institutions as (

    select * from {{ ref('int_street_institutions') }}

),

enrolments as (

    select * from {{ ref('fct_kindergarten_enrolments') }}

),

kindergarten_rosters as (

    select * from {{ ref('stg_kg_roster__enrolments') }}

),

list_dates as (

    select
        period_end as list_date,
        period_start as year_start,
        lag(period_end) over (order by period_end) as previous_list_date
    from periods
    where period_type = 'month'

),

population as (

    select
        list_dates.list_date,
        residences.person_key,
        residences.street_code,
        residences.district_code
    from list_dates
    inner join residences
        on
            list_dates.list_date >= residences.valid_from
            and (residences.valid_to is null or list_dates.list_date < residences.valid_to)
    where
        residences.is_resident
        and residences.birth_date <= list_dates.list_date
        and (residences.death_date is null or residences.death_date > list_dates.list_date)
    qualify row_number() over (
        partition by list_dates.list_date, residences.person_key
        order by residences.district_code, residences.street_code
    ) = 1

),

flagged as (

    select
        list_dates.list_date,
        list_dates.previous_list_date,
        eye_checks.person_key,
        eye_checks.eye_check_key,
        eye_checks.institution_code,
        eye_checks.check_date,
        eye_checks.action_code,
        eye_checks.shows_poor_vision,
        eye_checks.followup_date,
        row_number() over (
            partition by list_dates.list_date, eye_checks.person_key
            order by
                eye_checks.check_date,
                eye_checks.updated_at,
                eye_checks.institution_code,
                eye_checks.check_no
        ) as flag_order
    from list_dates
    inner join eye_checks
        on eye_checks.check_date between list_dates.year_start and list_dates.list_date
    where
        eye_checks.person_key is not null
        and eye_checks.is_flagged

),

open_flags as (

    select
        flagged.list_date,
        flagged.previous_list_date,
        flagged.person_key,
        flagged.eye_check_key as flagged_check_key,
        flagged.institution_code as flag_institution_code,
        flagged.check_date as flag_date,
        population.street_code,
        population.district_code as residence_district_code,
        case
            when coalesce(flagged.action_code in ('1', '2'), false) and flagged.shows_poor_vision
                then 'action_and_poor_vision'
            when coalesce(flagged.action_code in ('1', '2'), false) then 'action'
            else 'poor_vision'
        end as flag_reason,
        date_diff('day', flagged.check_date + settings.followup_window_days, flagged.list_date) as days_overdue
    from flagged
    cross join settings
    inner join population
        on
            flagged.list_date = population.list_date
            and flagged.person_key = population.person_key
    where
        flagged.flag_order = 1
        and (flagged.followup_date is null or flagged.followup_date > flagged.list_date)

),

-- the contract in force at D (rule 13) that is valid at D; two valid: rule 23
valid_contracts as (

    select
        open_flags.list_date,
        open_flags.person_key,
        contracts.team_code,
        contracts.institution_code
    from open_flags
    inner join contracts
        on
            open_flags.person_key = contracts.person_key
            and open_flags.list_date >= contracts.valid_from
            and (contracts.valid_to is null or open_flags.list_date < contracts.valid_to)
    where
        contracts.is_usable
        and contracts.contract_status = '1'
        and contracts.effective_date <= open_flags.list_date
        and contracts.expiry_date >= open_flags.list_date
    qualify row_number() over (
        partition by open_flags.list_date, open_flags.person_key
        order by contracts.effective_date desc, contracts.signed_date desc, contracts.contract_no desc
    ) = 1

),

teams_at_date as (

    select
        list_dates.list_date,
        teams.team_code,
        teams.institution_code,
        teams.team_name
    from list_dates
    inner join teams
        on
            list_dates.list_date >= teams.valid_from
            and (teams.valid_to is null or list_dates.list_date < teams.valid_to)
    qualify row_number() over (
        partition by list_dates.list_date, teams.team_code
        order by teams.snapshot_date desc, teams.sender_code asc
    ) = 1

),

institutions_at_date as (

    select
        list_dates.list_date,
        institutions.institution_code,
        institutions.district_code,
        institutions.institution_name
    from list_dates
    inner join institutions
        on
            list_dates.list_date >= institutions.valid_from
            and (institutions.valid_to is null or list_dates.list_date < institutions.valid_to)
    qualify row_number() over (
        partition by list_dates.list_date, institutions.institution_code
        order by institutions.snapshot_date desc, institutions.sender_code asc
    ) = 1

),

-- the latest name any snapshot gives: for a code the registry at D does not name
team_latest_names as (

    select
        team_code,
        team_name
    from teams
    where team_name is not null
    qualify row_number() over (
        partition by team_code
        order by snapshot_date desc, sender_code asc
    ) = 1

),

institution_latest_names as (

    select
        institution_code,
        institution_name
    from institutions
    where institution_name is not null
    qualify row_number() over (
        partition by institution_code
        order by snapshot_date desc, sender_code asc
    ) = 1

),

-- the kindergarten's name on its latest roster that names it (as indicator_results)
kindergarten_names as (

    select
        kindergarten_code,
        kindergarten_name
    from kindergarten_rosters
    where kindergarten_code is not null and kindergarten_name is not null
    qualify row_number() over (
        partition by kindergarten_code
        order by snapshot_date desc, kindergarten_name asc
    ) = 1

),

-- the kindergarten whose roster in force at D (its latest on or before D) lists the child
kindergartens as (

    select
        open_flags.list_date,
        open_flags.person_key,
        enrolments.kindergarten_code
    from open_flags
    inner join enrolments
        on
            open_flags.person_key = enrolments.person_key
            and open_flags.list_date >= enrolments.snapshot_date
            and (
                enrolments.next_snapshot_date is null
                or open_flags.list_date < enrolments.next_snapshot_date
            )
    qualify row_number() over (
        partition by open_flags.list_date, open_flags.person_key
        order by enrolments.snapshot_date desc, enrolments.kindergarten_code asc
    ) = 1

),

responsible as (

    select
        open_flags.*,
        valid_contracts.team_code as responsible_team_code,
        teams_at_date.team_name as responsible_team_name_at_date,
        kindergartens.kindergarten_code,
        case
            when valid_contracts.person_key is not null
                then coalesce(teams_at_date.institution_code, valid_contracts.institution_code)
            else street_institutions.institution_code
        end as responsible_institution_code
    from open_flags
    left join valid_contracts
        on
            open_flags.list_date = valid_contracts.list_date
            and open_flags.person_key = valid_contracts.person_key
    left join teams_at_date
        on
            open_flags.list_date = teams_at_date.list_date
            and valid_contracts.team_code = teams_at_date.team_code
    left join street_institutions
        on
            open_flags.street_code = street_institutions.street_code
            and open_flags.list_date >= street_institutions.valid_from
            and (street_institutions.valid_to is null or open_flags.list_date < street_institutions.valid_to)
    left join kindergartens
        on
            open_flags.list_date = kindergartens.list_date
            and open_flags.person_key = kindergartens.person_key

),

final as (

    select
        cast(responsible.list_date as date) as list_date,
        cast(responsible.person_key as varchar) as person_key,
        cast(responsible.flagged_check_key as varchar) as flagged_check_key,
        cast(responsible.flag_institution_code as varchar) as flag_institution_code,
        cast(
            coalesce(flag_institutions.institution_name, flag_latest_names.institution_name) as varchar
        ) as flag_institution_name,
        cast(responsible.flag_date as date) as flag_date,
        cast(responsible.flag_reason as varchar) as flag_reason,
        cast(responsible.days_overdue as integer) as days_overdue,
        cast(responsible.responsible_team_code as varchar) as responsible_team_code,
        cast(
            coalesce(responsible.responsible_team_name_at_date, team_latest_names.team_name) as varchar
        ) as responsible_team_name,
        cast(responsible.responsible_institution_code as varchar) as responsible_institution_code,
        cast(
            coalesce(institutions_at_date.institution_name, institution_latest_names.institution_name)
            as varchar
        ) as responsible_institution_name,
        cast(
            coalesce(institutions_at_date.district_code, responsible.residence_district_code) as varchar
        ) as responsible_district_code,
        cast(responsible.kindergarten_code as varchar) as kindergarten_code,
        cast(kindergarten_names.kindergarten_name as varchar) as kindergarten_name,
        cast(previous_list.person_key is null as boolean) as is_new_on_list
    from responsible
    left join institutions_at_date
        on
            responsible.list_date = institutions_at_date.list_date
            and responsible.responsible_institution_code = institutions_at_date.institution_code
    left join institution_latest_names
        on responsible.responsible_institution_code = institution_latest_names.institution_code
    left join institutions_at_date as flag_institutions
        on
            responsible.list_date = flag_institutions.list_date
            and responsible.flag_institution_code = flag_institutions.institution_code
    left join institution_latest_names as flag_latest_names
        on responsible.flag_institution_code = flag_latest_names.institution_code
    left join team_latest_names
        on responsible.responsible_team_code = team_latest_names.team_code
    left join kindergarten_names
        on responsible.kindergarten_code = kindergarten_names.kindergarten_code
    left join open_flags as previous_list
        on
            responsible.previous_list_date = previous_list.list_date
            and responsible.person_key = previous_list.person_key

)

select * from final
