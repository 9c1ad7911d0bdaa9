{#-
    VIS_KG_COV 在园儿童视力检查覆盖率: numerator and denominator per period, for each kindergarten,
    each district (the county of the kindergarten's 所在街道代码; distinct children) and the city
    (distinct children). Denominator: the children (valid ID) on each kindergarten's latest
    roster on or before the period's end, resident or not; two roster files of one business date
    both count (rule 21). Numerator: those with at least one eye check dated in the period.
-#}

with

periods as (

    select * from {{ ref('indicator_periods') }}

),

enrolments as (

    select * from {{ ref('fct_kindergarten_enrolments') }}

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}

),

districts as (

    select * from {{ ref('code_district') }}

),

on_roster as (

    select distinct
        periods.period_label,
        enrolments.kindergarten_code,
        enrolments.person_key,
        -- one district per kindergarten and period, should two same-day files disagree
        coalesce(
            min(enrolments.kindergarten_district_code) over (
                partition by periods.period_label, enrolments.kindergarten_code
            ),
            'unknown'
        ) as district_code
    from periods
    inner join enrolments
        on
            periods.period_end >= enrolments.snapshot_date
            and (enrolments.next_snapshot_date is null or periods.period_end < enrolments.next_snapshot_date)
    where enrolments.person_key is not null

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
        on_roster.period_label,
        on_roster.kindergarten_code,
        on_roster.district_code,
        on_roster.person_key,
        checked.person_key is not null as is_in_numerator
    from on_roster
    left join checked
        on
            on_roster.period_label = checked.period_label
            and on_roster.person_key = checked.person_key

),

city as (

    select
        periods.period_label,
        'city' as level,  -- noqa: RF04
        '320300' as unit_code,
        '320300' as district_code,
        count(distinct case when persons.is_in_numerator then persons.person_key end) as numerator,
        count(distinct persons.person_key) as denominator
    from periods
    left join persons
        on periods.period_label = persons.period_label
    group by periods.period_label

),

district_units as (

    select
        periods.period_label,
        districts.code as district_code
    from periods
    cross join districts
    where districts.level = 'county'
    union
    select distinct
        persons.period_label,
        persons.district_code
    from persons

),

district as (

    select
        district_units.period_label,
        'district' as level,  -- noqa: RF04
        district_units.district_code as unit_code,
        district_units.district_code,
        count(distinct case when persons.is_in_numerator then persons.person_key end) as numerator,
        count(distinct persons.person_key) as denominator
    from district_units
    left join persons
        on
            district_units.period_label = persons.period_label
            and district_units.district_code = persons.district_code
    group by district_units.period_label, district_units.district_code

),

kindergarten as (

    select
        persons.period_label,
        'kindergarten' as level,  -- noqa: RF04
        persons.kindergarten_code as unit_code,
        persons.district_code,
        count(distinct case when persons.is_in_numerator then persons.person_key end) as numerator,
        count(distinct persons.person_key) as denominator
    from persons
    group by persons.period_label, persons.kindergarten_code, persons.district_code

),

units as (

    select * from city
    union all
    select * from district
    union all
    select * from kindergarten

),

final as (

    select
        'VIS_KG_COV' as indicator_code,
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
