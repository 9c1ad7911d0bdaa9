{#-
    VIS_SCHOOL_LINK 入学儿童视力档案转移率: numerator and denominator per period, for each school
    (in the school's district), each district and the city (distinct children). Denominator: the
    children on each school's latest school_entry roster on or before the period's end whose
    入学日期 falls in the period; numerator: those with at least one VA-measuring check at age
    4, 5 or 6 dated on or before the period's end (rule 22). A child's district is the county of
    the child's street in the population at the period's end, whatever 常住标志 or death; a child
    absent from that population counts under 'unknown'.
-#}

with

periods as (

    select * from {{ ref('indicator_periods') }}

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

school_entries as (

    select * from {{ ref('fct_school_entries') }}

),

eye_checks as (

    select * from {{ ref('fct_eye_checks') }}

),

districts as (

    select * from {{ ref('code_district') }}

),

entrants as (

    select distinct
        periods.period_label,
        school_entries.school_code,
        school_entries.person_key,
        coalesce(
            min(school_entries.school_district_code) over (
                partition by periods.period_label, school_entries.school_code
            ),
            'unknown'
        ) as school_district_code
    from periods
    inner join school_entries
        on
            periods.period_end >= school_entries.snapshot_date
            and (school_entries.next_snapshot_date is null or periods.period_end < school_entries.next_snapshot_date)
    where
        school_entries.person_key is not null
        and school_entries.entry_date between periods.period_start and periods.period_end

),

-- the population at D, resident or not, dead or alive (rule 22)
population_districts as (

    select
        periods.period_label,
        residences.person_key,
        residences.district_code
    from periods
    inner join residences
        on
            periods.period_end >= residences.valid_from
            and (residences.valid_to is null or periods.period_end < residences.valid_to)
    qualify row_number() over (
        partition by periods.period_label, residences.person_key
        order by residences.is_resident desc, residences.district_code asc, residences.street_code asc
    ) = 1

),

linked as (

    select distinct
        periods.period_label,
        eye_checks.person_key
    from periods
    inner join eye_checks
        on periods.period_end >= eye_checks.check_date
    where
        eye_checks.person_key is not null
        and eye_checks.measures_va
        and eye_checks.age_years in (4, 5, 6)

),

persons as (

    select
        entrants.period_label,
        entrants.school_code,
        entrants.school_district_code,
        entrants.person_key,
        coalesce(population_districts.district_code, 'unknown') as district_code,
        linked.person_key is not null as is_in_numerator
    from entrants
    left join population_districts
        on
            entrants.period_label = population_districts.period_label
            and entrants.person_key = population_districts.person_key
    left join linked
        on
            entrants.period_label = linked.period_label
            and entrants.person_key = linked.person_key

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

school as (

    select
        persons.period_label,
        'school' as level,  -- noqa: RF04
        persons.school_code as unit_code,
        persons.school_district_code as district_code,
        count(distinct case when persons.is_in_numerator then persons.person_key end) as numerator,
        count(distinct persons.person_key) as denominator
    from persons
    group by persons.period_label, persons.school_code, persons.school_district_code

),

units as (

    select * from city
    union all
    select * from district
    union all
    select * from school

),

final as (

    select
        'VIS_SCHOOL_LINK' as indicator_code,
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
