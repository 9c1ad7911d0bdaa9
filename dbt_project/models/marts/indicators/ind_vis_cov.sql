{#-
    VIS_COV 0～6岁儿童眼保健和视力检查覆盖率: numerator and denominator per period, for the city
    (distinct persons) and each district (the ten counties always, any other county code seen,
    'unknown' for a resident without a street code). Denominator: the resident population aged
    under 7 at the period's end, in the district of residence at that date; numerator: those with
    at least one eye check dated in the period (any institution, any district).
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

-- the resident population at each period end (docs/vision-chain.md), aged under 7 (周岁, rule 15)
population as (

    select
        periods.period_label,
        residents.person_key,
        residents.district_code,
        {{ completed_years('residents.birth_date', 'periods.period_end') }} as age_years
    from periods
    inner join residents
        on periods.period_end = residents.as_of_date

),

denominator as (

    select
        period_label,
        person_key,
        district_code
    from population
    where age_years < 7

),

checked as (

    select distinct
        periods.period_label,
        eye_checks.person_key
    from periods
    inner join eye_checks
        on eye_checks.check_date between periods.period_start and periods.period_end
    where eye_checks.person_key is not null

),

persons as (

    select
        denominator.period_label,
        denominator.person_key,
        denominator.district_code,
        checked.person_key is not null as is_in_numerator
    from denominator
    left join checked
        on
            denominator.period_label = checked.period_label
            and denominator.person_key = checked.person_key

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
        'VIS_COV' as indicator_code,
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
