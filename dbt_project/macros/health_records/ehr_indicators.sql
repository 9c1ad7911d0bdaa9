{#- Shared steps of the health-record indicator models (ind_ehr_*); the counting
    itself is indicator_unit_counts (macros/indicators/), shared with the vision chain.

    ehr_result_columns(indicator_code): the trailing CTEs named, rated and
    final that turn a CTE `units` (period_label, level, unit_code,
    district_code, numerator, denominator) into the columns of
    indicators.indicator_results plus period_basis = 'calendar'. -#}

{% macro ehr_result_columns(indicator_code) %}
named as (

    select
        units.*,
        case units.level
            when 'city' then '徐州市'
            when 'district'
                then
                    case
                        when units.unit_code = 'unknown' then '未知区县'
                        else coalesce(unit_districts.label, units.unit_code)
                    end
            when 'institution' then coalesce(unit_institutions.institution_name, units.unit_code)
            when 'team' then coalesce(unit_teams.team_name, units.unit_code)
        end as unit_name
    from units
    left join {{ ref('code_district') }} as unit_districts
        on units.level = 'district' and units.unit_code = unit_districts.code
    left join (
        select
            institution_code,
            arg_max(institution_name, snapshot_date) as institution_name
        from {{ ref('int_institutions_as_of') }}
        group by institution_code
    ) as unit_institutions
        on units.level = 'institution' and units.unit_code = unit_institutions.institution_code
    left join (
        select
            team_code,
            arg_max(team_name, snapshot_date) as team_name
        from {{ ref('int_teams_as_of') }}
        group by team_code
    ) as unit_teams
        on units.level = 'team' and units.unit_code = unit_teams.team_code

),

rated as (

    select
        named.*,
        registry.target,
        registry.direction,
        {{ rate_percent('named.numerator', 'named.denominator') }} as rate
    from named
    inner join {{ ref('indicator_registry') }} as registry
        on registry.indicator_code = '{{ indicator_code }}'

),

final as (

    select
        cast('{{ indicator_code }}' as varchar) as indicator_code,
        cast(periods.period_type as varchar) as period_type,
        cast(periods.period_label as varchar) as period_label,
        cast(periods.statistical_year as integer) as statistical_year,
        cast(periods.period_start as date) as period_start,
        cast(periods.period_end as date) as period_end,
        cast(rated.level as varchar) as level,
        cast(rated.unit_code as varchar) as unit_code,
        cast(rated.unit_name as varchar) as unit_name,
        cast(rated.district_code as varchar) as district_code,
        cast(rated.numerator as bigint) as numerator,
        cast(rated.denominator as bigint) as denominator,
        cast(rated.rate as decimal(5, 2)) as rate,
        cast(rated.target as decimal(5, 2)) as target,
        cast(rated.direction as varchar) as direction,
        cast({{ target_met('rated.rate', 'rated.target', 'rated.direction') }} as boolean)
            as target_met,
        cast(periods.period_basis as varchar) as period_basis
    from rated
    inner join periods
        on rated.period_label = periods.period_label

)
{% endmacro %}
