{#-
    Re-monitoring of the 干预清单: for each list date D, one row per child of the previous list
    date's list, with whether the flagged check of that list has since been followed up (rule 19,
    the follow-up dated on or before D) and, if so, by which check and with what result.
-#}

with

periods as (

    select * from {{ ref('indicator_periods') }}

),

interventions as (

    select * from {{ ref('wl_vision_interventions') }}

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}

),

list_dates as (

    select
        period_end as list_date,
        lag(period_end) over (order by period_end) as previous_list_date
    from periods
    where period_type = 'month'

),

previous_lists as (

    select
        list_dates.list_date,
        list_dates.previous_list_date,
        interventions.person_key,
        interventions.flagged_check_key
    from list_dates
    inner join interventions
        on list_dates.previous_list_date = interventions.list_date

),

followed as (

    select
        previous_lists.*,
        case
            when flagged_checks.followup_date <= previous_lists.list_date
                then flagged_checks.followup_check_key
        end as followup_check_key
    from previous_lists
    left join eye_checks as flagged_checks
        on previous_lists.flagged_check_key = flagged_checks.eye_check_key

),

final as (

    select
        cast(followed.list_date as date) as list_date,
        cast(followed.previous_list_date as date) as previous_list_date,
        cast(followed.person_key as varchar) as person_key,
        cast(followed.flagged_check_key as varchar) as flagged_check_key,
        cast(followed.followup_check_key is not null as boolean) as is_followed_up_since,
        cast(followed.followup_check_key as varchar) as followup_check_key,
        cast(followup_checks.check_date as date) as followup_date,
        cast(followup_checks.result_code as varchar) as followup_result_code,
        cast(followup_checks.action_code as varchar) as followup_action_code,
        cast(followup_checks.shows_poor_vision as boolean) as followup_shows_poor_vision
    from followed
    left join eye_checks as followup_checks
        on followed.followup_check_key = followup_checks.eye_check_key

)

select * from final
