{#-
    VIS_POOR_6 split by sex for the report: one row per period, level (city, district), unit and
    sex (the population's 性别代码 at the period's end), with the columns of indicator_results.
-#}

with

registry as (

    select * from {{ ref('indicator_registry') }}

),

districts as (

    select * from {{ ref('code_district') }}

),

counts as (

    select * from {{ ref('ind_vis_poor_6') }}
    where sex_code != 'all'

),

rated as (

    select
        counts.*,
        registry.target,
        registry.direction,
        case counts.level
            when 'city' then '徐州市'
            when 'district'
                then
                    case
                        when counts.unit_code = 'unknown' then '未知区县'
                        else coalesce(districts.label, counts.unit_code)
                    end
        end as unit_name,
        {{ rate_percent('counts.numerator', 'counts.denominator') }} as rate
    from counts
    inner join registry
        on counts.indicator_code = registry.indicator_code
    left join districts
        on counts.level = 'district' and counts.unit_code = districts.code

),

final as (

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
        cast(sex_code as varchar) as sex_code,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(rate as decimal(5, 2)) as rate,
        cast(target as decimal(5, 2)) as target,  -- noqa: RF04
        cast(direction as varchar) as direction,
        cast({{ target_met('rate', 'target', 'direction') }} as boolean) as target_met
    from rated

)

select * from final
