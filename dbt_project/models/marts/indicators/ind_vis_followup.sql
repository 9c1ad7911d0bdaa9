{#-
    VIS_FOLLOWUP 异常儿童复查转诊完成率: numerator and denominator per period, for the city
    (distinct persons) and each district of residence at the period's end. Denominator: residents
    at the period's end whose first flagged check in the period (rule 18: 处理意见 1/2 or poor
    vision; ties: earliest 更新时间, then institution, then record number) has a follow-up window
    that ended by the period's end (flag date + window ≤ D); numerator: those whose flagged check
    was followed up within the window (rule 19, core.fct_eye_checks). The window ends by D, so
    any follow-up inside it is dated on or before D.
-#}

with

periods as (

    select * from {{ ref('indicator_periods') }}

),

residents as (

    select * from {{ ref('int_residents_at_month_ends') }}

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}

),

settings as (

    select * from {{ ref('vision_settings') }}

),

-- the resident population at each period end (docs/vision-chain.md)
population as (

    select
        periods.period_label,
        residents.person_key,
        residents.district_code
    from periods
    inner join residents
        on periods.period_end = residents.as_of_date

),

flagged as (

    select
        periods.period_label,
        periods.period_end,
        eye_checks.person_key,
        eye_checks.check_date,
        eye_checks.is_followed_up,
        eye_checks.followup_date,
        row_number() over (
            partition by periods.period_label, eye_checks.person_key
            order by
                eye_checks.check_date,
                eye_checks.updated_at,
                eye_checks.institution_code,
                eye_checks.check_no
        ) as flag_order
    from periods
    inner join eye_checks
        on eye_checks.check_date between periods.period_start and periods.period_end
    where
        eye_checks.person_key is not null
        and eye_checks.is_flagged

),

first_flagged as (

    select
        flagged.period_label,
        flagged.person_key,
        coalesce(
            flagged.is_followed_up
            and flagged.followup_date <= flagged.check_date + settings.followup_window_days,
            false
        ) as is_followed_up
    from flagged
    cross join settings
    where
        flagged.flag_order = 1
        -- the window has ended by the period's end (rule 18)
        and flagged.check_date + settings.followup_window_days <= flagged.period_end

),

persons as (

    select
        population.period_label,
        population.person_key,
        population.district_code,
        first_flagged.is_followed_up as is_in_numerator
    from population
    inner join first_flagged
        on
            population.period_label = first_flagged.period_label
            and population.person_key = first_flagged.person_key

),

facts as (

    select
        period_label,
        person_key as item_key,
        is_in_numerator,
        district_code
    from persons

),

units as (

    {{- indicator_unit_counts(['city', 'district']) }}

),

final as (

    select
        'VIS_FOLLOWUP' as indicator_code,
        periods.period_type,
        periods.period_label,
        periods.statistical_year,
        periods.period_start,
        periods.period_end,
        units.level,
        units.unit_code,
        units.district_code,
        cast(units.numerator as bigint) as numerator,
        cast(units.denominator as bigint) as denominator
    from units
    inner join periods
        on units.period_label = periods.period_label

)

select * from final
