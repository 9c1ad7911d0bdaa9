{#- The days covered by events, merged per key: an event on day e covers e … e + days.
    One row per key and maximal interval (covered_from, covered_to, both inclusive); a new
    interval starts where an event comes more than `days` after the one before. "Is D
    covered" is then one join on the key with D between the bounds, whose build side is
    the intervals: no event is paired with every date it covers. -#}
{% macro covered_intervals(relation, key, date_column, days) %}
    select
        {{ key }},
        min({{ date_column }}) as covered_from,
        max({{ date_column }}) + {{ days }} as covered_to
    from (
        select
            {{ key }},
            {{ date_column }},
            count(*) filter (where starts_interval) over (
                partition by {{ key }} order by {{ date_column }}
            ) as interval_no
        from (
            select
                {{ key }},
                {{ date_column }},
                coalesce(
                    {{ date_column }} > lag({{ date_column }}) over (
                        partition by {{ key }} order by {{ date_column }}
                    ) + {{ days }},
                    true
                ) as starts_interval
            from {{ relation }}
        ) as flagged
    ) as numbered
    group by {{ key }}, interval_no
{% endmacro %}
