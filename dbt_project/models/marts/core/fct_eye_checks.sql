{#- One row per eye check: the latest version of each (sender, 检查记录号),
    usable. Person from identity_eye_check_links (person_key only); age in
    completed years at the check (edge rule 15) from the birth date in the
    person's ID, else the row's 出生日期 when unlinked; VA in integer tenths
    of 5-point notation; poor vision by the threshold seed (edge rule 16:
    both eyes measured); the flag of edge rule 18 (any age); the first
    follow-up of edge rule 19 within the window of vision_settings. -#}

with

eye_checks as (

    select * from {{ ref('stg_eye_check__eye_checks') }}
    where is_latest_version and is_usable

),

links as (

    select * from {{ ref('identity_eye_check_links') }}

),

persons as (

    select * from {{ ref('identity_persons') }}

),

thresholds as (

    select * from {{ ref('vision_poor_thresholds') }}

),

settings as (

    select * from {{ ref('vision_settings') }}

),

checks as (

    select
        eye_checks._sender || ':' || eye_checks.check_no as eye_check_key,
        eye_checks._sender as institution_code,
        eye_checks.check_no,
        links.person_key,
        links.link_method,
        eye_checks.check_date,
        eye_checks.updated_at,
        eye_checks.check_stage,
        cast(
            {{ completed_years('coalesce(persons.birth_date, eye_checks.birth_date)', 'eye_checks.check_date') }}
            as integer
        ) as age_years,
        cast(eye_checks.va_right * 10 as integer) as va_right_tenths,
        cast(eye_checks.va_left * 10 as integer) as va_left_tenths,
        eye_checks.action_code,
        eye_checks.result_code,
        eye_checks.referral_institution_code,
        eye_checks.origin_check_no
    from eye_checks
    inner join links
        on eye_checks._sender || ':' || eye_checks.check_no = links.eye_check_key
    left join persons
        on links.person_key = persons.person_key

),

assessed as (

    select
        checks.*,
        checks.va_right_tenths is not null and checks.va_left_tenths is not null as measures_va,
        coalesce(
            checks.va_right_tenths is not null
            and checks.va_left_tenths is not null
            and thresholds.age_years is not null
            and (
                least(checks.va_right_tenths, checks.va_left_tenths) <= thresholds.max_poor_va_tenths
                or abs(checks.va_right_tenths - checks.va_left_tenths) >= settings.anisometropia_tenths
            ),
            false
        ) as shows_poor_vision
    from checks
    cross join settings
    left join thresholds
        on checks.age_years = thresholds.age_years

),

flagged as (

    select
        *,
        coalesce(action_code in ('1', '2'), false) or shows_poor_vision as is_flagged
    from assessed

),

-- edge rule 19: a check of the same person dated 1..window days after, or a
-- row pointing at the check (复查原记录号) from its institution or its
-- referral institution dated 0..window days after (linked or not)
followup_candidates as (

    select
        flagged.eye_check_key,
        later.eye_check_key as followup_check_key,
        later.check_date as followup_date,
        later.updated_at as followup_updated_at,
        later.institution_code as followup_institution_code,
        later.check_no as followup_check_no
    from flagged
    cross join settings
    inner join flagged as later
        on
            flagged.person_key = later.person_key
            and later.check_date between flagged.check_date + 1 and flagged.check_date + settings.followup_window_days

    union all

    select
        flagged.eye_check_key,
        later.eye_check_key as followup_check_key,
        later.check_date as followup_date,
        later.updated_at as followup_updated_at,
        later.institution_code as followup_institution_code,
        later.check_no as followup_check_no
    from flagged
    cross join settings
    inner join flagged as later
        on
            flagged.check_no = later.origin_check_no
            and (
                flagged.institution_code = later.institution_code
                or flagged.referral_institution_code = later.institution_code
            )
            and flagged.eye_check_key <> later.eye_check_key
            and later.check_date between flagged.check_date and flagged.check_date + settings.followup_window_days

),

first_followups as (

    select
        eye_check_key,
        followup_check_key,
        followup_date,
        row_number() over (
            partition by eye_check_key
            order by followup_date, followup_updated_at, followup_institution_code, followup_check_no
        ) as followup_rank
    from followup_candidates

),

final as (

    select
        flagged.eye_check_key,
        flagged.institution_code,
        flagged.check_no,
        flagged.person_key,
        flagged.link_method,
        flagged.check_date,
        flagged.updated_at,
        flagged.check_stage,
        flagged.age_years,
        flagged.va_right_tenths,
        flagged.va_left_tenths,
        flagged.measures_va,
        flagged.shows_poor_vision,
        flagged.action_code,
        flagged.result_code,
        flagged.referral_institution_code,
        flagged.origin_check_no,
        flagged.is_flagged,
        first_followups.followup_check_key,
        first_followups.followup_date,
        first_followups.followup_check_key is not null as is_followed_up
    from flagged
    left join first_followups
        on
            flagged.eye_check_key = first_followups.eye_check_key
            and first_followups.followup_rank = 1

)

select * from final
