{#-
    VIS_POOR_6 6岁儿童视力不良检出率: numerator and denominator per period, for the city (distinct
    persons) and each district of residence at the period's end, in total (sex_code 'all') and
    by sex (the population's 性别代码; '0' when unknown). Denominator: residents at the period's
    end who had a VA-measuring check in the period at age 6 (age at the check); numerator: those
    whose latest such check shows poor vision (ties on the date, rule 20: later 更新时间, then the
    later institution code, then the later record number).
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

districts as (

    select * from {{ ref('code_district') }}

),

-- the resident population at each period end (docs/vision-chain.md)
population as (

    select
        periods.period_label,
        residents.person_key,
        residents.district_code,
        coalesce(residents.sex_code, '0') as sex_code
    from periods
    inner join residents
        on periods.period_end = residents.as_of_date

),

checks_at_6 as (

    select
        periods.period_label,
        eye_checks.person_key,
        eye_checks.eye_check_key,
        coalesce(eye_checks.shows_poor_vision, false) as shows_poor_vision,
        row_number() over (
            partition by periods.period_label, eye_checks.person_key
            order by
                eye_checks.check_date desc,
                eye_checks.updated_at desc,
                eye_checks.institution_code desc,
                eye_checks.check_no desc
        ) as recency
    from periods
    inner join eye_checks
        on eye_checks.check_date between periods.period_start and periods.period_end
    where
        eye_checks.person_key is not null
        and eye_checks.measures_va
        and eye_checks.age_years = 6

),

persons as (

    select
        population.period_label,
        population.person_key,
        population.district_code,
        population.sex_code,
        checks_at_6.shows_poor_vision as is_in_numerator
    from population
    inner join checks_at_6
        on
            population.period_label = checks_at_6.period_label
            and population.person_key = checks_at_6.person_key
    where checks_at_6.recency = 1

),

sexes as (

    select 'all' as sex_code
    union all
    select distinct persons.sex_code from persons

),

persons_by_sex as (

    select
        persons.period_label,
        persons.person_key,
        persons.district_code,
        'all' as sex_code,
        persons.is_in_numerator
    from persons
    union all
    select
        persons.period_label,
        persons.person_key,
        persons.district_code,
        persons.sex_code,
        persons.is_in_numerator
    from persons

),

city as (

    select
        periods.period_label,
        sexes.sex_code,
        'city' as level,  -- noqa: RF04
        '320300' as unit_code,
        '320300' as district_code,
        count(distinct case when persons_by_sex.is_in_numerator then persons_by_sex.person_key end) as numerator,
        count(distinct persons_by_sex.person_key) as denominator
    from periods
    cross join sexes
    left join persons_by_sex
        on
            periods.period_label = persons_by_sex.period_label
            and sexes.sex_code = persons_by_sex.sex_code
    group by periods.period_label, sexes.sex_code

),

district_units as (

    select
        periods.period_label,
        sexes.sex_code,
        districts.code as district_code
    from periods
    cross join sexes
    cross join districts
    where districts.level = 'county'
    union
    select distinct
        persons_by_sex.period_label,
        persons_by_sex.sex_code,
        persons_by_sex.district_code
    from persons_by_sex

),

district as (

    select
        district_units.period_label,
        district_units.sex_code,
        'district' as level,  -- noqa: RF04
        district_units.district_code as unit_code,
        district_units.district_code,
        count(distinct case when persons_by_sex.is_in_numerator then persons_by_sex.person_key end) as numerator,
        count(distinct persons_by_sex.person_key) as denominator
    from district_units
    left join persons_by_sex
        on
            district_units.period_label = persons_by_sex.period_label
            and district_units.sex_code = persons_by_sex.sex_code
            and district_units.district_code = persons_by_sex.district_code
    group by district_units.period_label, district_units.sex_code, district_units.district_code

),

units as (

    select * from city
    union all
    select * from district

),

final as (

    select
        'VIS_POOR_6' as indicator_code,
        periods.period_type,
        periods.period_label,
        periods.statistical_year,
        periods.period_start,
        periods.period_end,
        units.level,
        units.unit_code,
        units.district_code,
        units.sex_code,
        cast(units.numerator as bigint) as numerator,
        cast(units.denominator as bigint) as denominator
    from units
    inner join periods
        on units.period_label = periods.period_label

)

select * from final
