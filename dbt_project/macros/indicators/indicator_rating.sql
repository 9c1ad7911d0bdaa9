{#- How every published indicator is rated (indicators.md): one definition for the vision
    chain (indicator_results, vis_poor_6_by_sex) and the health-record chain
    (ehr_result_columns). -#}

{#- The rate in percent, 2 decimals, halves up, computed in integer arithmetic so that no
    binary fraction can round a half down; NULL when the denominator is 0. -#}
{% macro rate_percent(numerator, denominator) %}
    case
        when {{ denominator }} > 0
            then (({{ numerator }} * 20000 + {{ denominator }}) // (2 * {{ denominator }})) * 0.01
    end
{% endmacro %}

{#- Whether the rate meets the registry's target in the registry's direction; NULL when
    either is missing. -#}
{% macro target_met(rate, target, direction) %}
    case
        when {{ target }} is null or {{ rate }} is null then null
        when {{ direction }} = 'lower_is_better' then {{ rate }} <= {{ target }}
        else {{ rate }} >= {{ target }}
    end
{% endmacro %}
