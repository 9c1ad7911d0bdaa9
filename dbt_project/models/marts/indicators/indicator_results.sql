{#-
    Every published indicator of both chains: the vision chain's (statistical year, computed
    here from the ind_vis_* models) and the health-record chain's (calendar periods,
    ehr_indicator_results). One row per indicator, period, level and unit, with the
    numerator and denominator (so a statistician can re-aggregate), the rate in percent (2
    decimals, halves up; NULL when the denominator is 0), the registry's target and direction
    and whether the target is met.
-#}

with

registry as (

    select * from {{ ref('indicator_registry') }}

),

districts as (

    select * from {{ ref('code_district') }}

),

kindergarten_rosters as (

    select * from {{ ref('stg_kg_roster__enrolments') }}

),

school_rosters as (

    select * from {{ ref('stg_school_entry__entrants') }}

),

counts as (

    select * from {{ ref('ind_vis_cov') }}
    union all
    select
        indicator_code,
        period_type,
        period_label,
        statistical_year,
        period_start,
        period_end,
        level,
        unit_code,
        district_code,
        numerator,
        denominator
    from {{ ref('ind_vis_poor_6') }}
    where sex_code = 'all'
    union all
    select * from {{ ref('ind_vis_followup') }}
    union all
    select * from {{ ref('ind_vis_kg_cov') }}
    union all
    select * from {{ ref('ind_vis_school_link') }}

),

-- names: the latest delivered name of each kindergarten and school
kindergarten_names as (

    select
        kindergarten_code as unit_code,
        arg_max(kindergarten_name, snapshot_date) as unit_name
    from kindergarten_rosters
    where kindergarten_name is not null and kindergarten_code is not null
    group by kindergarten_code

),

school_names as (

    select
        school_code as unit_code,
        arg_max(school_name, snapshot_date) as unit_name
    from school_rosters
    where school_name is not null and school_code is not null
    group by school_code

),

named as (

    select
        counts.*,
        case counts.level
            when 'city' then '徐州市'
            when 'district'
                then
                    case
                        when counts.unit_code = 'unknown' then '未知区县'
                        else coalesce(districts.label, counts.unit_code)
                    end
            when 'kindergarten' then coalesce(kindergarten_names.unit_name, counts.unit_code)
            when 'school' then coalesce(school_names.unit_name, counts.unit_code)
        end as unit_name
    from counts
    left join districts
        on counts.level = 'district' and counts.unit_code = districts.code
    left join kindergarten_names
        on counts.level = 'kindergarten' and counts.unit_code = kindergarten_names.unit_code
    left join school_names
        on counts.level = 'school' and counts.unit_code = school_names.unit_code

),

rated as (

    select
        named.*,
        registry.target,
        registry.direction,
        {{ rate_percent('named.numerator', 'named.denominator') }} as rate
    from named
    inner join registry
        on named.indicator_code = registry.indicator_code

),

vision_results as (

    select
        cast(indicator_code as varchar) as indicator_code,
        cast(period_type as varchar) as period_type,
        cast(period_label as varchar) as period_label,
        cast(statistical_year as integer) as statistical_year,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(level as varchar) as level,  -- noqa: RF04
        cast(unit_code as varchar) as unit_code,
        cast(unit_name as varchar) as unit_name,
        cast(district_code as varchar) as district_code,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(rate as decimal(5, 2)) as rate,
        cast(target as decimal(5, 2)) as target,  -- noqa: RF04
        cast(direction as varchar) as direction,
        cast({{ target_met('rate', 'target', 'direction') }} as boolean) as target_met,
        cast('statistical_year' as varchar) as period_basis
    from rated

),

health_record_results as (

    select * from {{ ref('ehr_indicator_results') }}

),

final as (

    select
        indicator_code,
        period_type,
        period_label,
        statistical_year,
        period_start,
        period_end,
        level,
        unit_code,
        unit_name,
        district_code,
        numerator,
        denominator,
        rate,
        target,
        direction,
        target_met,
        period_basis
    from vision_results
    union all
    select
        indicator_code,
        period_type,
        period_label,
        statistical_year,
        period_start,
        period_end,
        level,
        unit_code,
        unit_name,
        district_code,
        numerator,
        denominator,
        rate,
        target,
        direction,
        target_met,
        period_basis
    from health_record_results

)

select * from final
