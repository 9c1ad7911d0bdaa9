{#- Generic data tests for validity histories (slowly changing dimensions
    with valid_from inclusive, valid_to exclusive, NULL = open). -#}

{#- Fails on every span that overlaps the next span of the same key, is
    empty or inverted (valid_to <= valid_from), or leaves a gap before the
    next span when contiguous=true. -#}
{% test non_overlapping_spans(model, key_columns, from_column='valid_from', to_column='valid_to', contiguous=true) %}

with

spans as (

    select
        {{ key_columns | join(', ') }},
        {{ from_column }} as span_from,
        {{ to_column }} as span_to,
        lead({{ from_column }}) over (
            partition by {{ key_columns | join(', ') }} order by {{ from_column }}
        ) as next_from
    from {{ model }}

)

select *
from spans
where
    (span_to is not null and span_to <= span_from)
    or (next_from is not null and (span_to is null or span_to > next_from))
    {%- if contiguous %}
    or (next_from is not null and span_to < next_from)
    {%- endif %}

{% endtest %}

{#- Fails on every key that has no open span (valid_to NULL) or more than one. -#}
{% test one_current_span(model, key_columns, to_column='valid_to') %}

select
    {{ key_columns | join(', ') }},
    count(case when {{ to_column }} is null then 1 end) as current_spans
from {{ model }}
group by {{ key_columns | join(', ') }}
having count(case when {{ to_column }} is null then 1 end) <> 1

{% endtest %}
