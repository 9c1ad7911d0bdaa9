{#- The counting step of the indicator models of both chains (ind_vis_*, ind_ehr_*).

    indicator_unit_counts(levels, items_unique=false): the select that counts numerator
    and denominator per period and unit from two CTEs the model defines:
      periods  (period_label, ...)                      every period reported
      facts    (period_label, item_key, is_in_numerator, district_code
                [, institution_code, institution_district_code, team_code])
    City figures count distinct items (persons or records), never sums of
    districts. District units: the ten counties always, plus any other code
    seen (edge rule 29) and `unknown`. Institution and team units: those seen
    (only when `levels` asks for them).

    items_unique=true: the model guarantees one facts row per period and item (the
    health-record chain: one row per record or person and D). Rows are then counted, not
    distinct items: a distinct count keeps every item of every period in memory (~180 M
    at scale 1, tens of GB spilled), a row count keeps one number per unit. -#}

{% macro indicator_unit_counts(levels, items_unique=false) %}
    select
        periods.period_label,
        'city' as level,
        '320300' as unit_code,
        '320300' as district_code,
        {{ _numerator_count(items_unique) }} as numerator,
        {{ _denominator_count(items_unique) }} as denominator
    from periods
    left join facts
        on periods.period_label = facts.period_label
    group by periods.period_label

    union all

    select
        district_units.period_label,
        'district' as level,
        district_units.district_code as unit_code,
        district_units.district_code,
        {{ _numerator_count(items_unique) }} as numerator,
        {{ _denominator_count(items_unique) }} as denominator
    from (
        select
            periods.period_label,
            county_codes.code as district_code
        from periods
        cross join {{ ref('code_district') }} as county_codes
        where county_codes.level = 'county'
        union
        select distinct
            facts.period_label,
            facts.district_code
        from facts
    ) as district_units
    left join facts
        on
            district_units.period_label = facts.period_label
            and district_units.district_code = facts.district_code
    group by district_units.period_label, district_units.district_code
    {%- if 'institution' in levels %}

    union all

    select
        facts.period_label,
        'institution' as level,
        facts.institution_code as unit_code,
        coalesce(any_value(facts.institution_district_code), 'unknown') as district_code,
        {{ _numerator_count(items_unique) }} as numerator,
        {{ _denominator_count(items_unique) }} as denominator
    from facts
    where facts.institution_code is not null
    group by facts.period_label, facts.institution_code
    {%- endif %}
    {%- if 'team' in levels %}

    union all

    select
        facts.period_label,
        'team' as level,
        facts.team_code as unit_code,
        coalesce(any_value(facts.institution_district_code), 'unknown') as district_code,
        {{ _numerator_count(items_unique) }} as numerator,
        {{ _denominator_count(items_unique) }} as denominator
    from facts
    where facts.team_code is not null
    group by facts.period_label, facts.team_code
    {%- endif %}
{% endmacro %}

{%- macro _numerator_count(items_unique) -%}
    {%- if items_unique -%}
        count(facts.item_key) filter (where facts.is_in_numerator)
    {%- else -%}
        count(distinct case when facts.is_in_numerator then facts.item_key end)
    {%- endif -%}
{%- endmacro %}

{%- macro _denominator_count(items_unique) -%}
    {%- if items_unique -%}
        count(facts.item_key)
    {%- else -%}
        count(distinct facts.item_key)
    {%- endif -%}
{%- endmacro %}
