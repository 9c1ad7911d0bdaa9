{#- Generic test: every row satisfies a SQL condition, e.g.
    `expression: numerator <= denominator`. Fails with the rows that do not
    (NULL counts as not satisfied unless the expression handles it). Works as a
    model-level or a column-level test (the column is then only where it is listed). -#}
{% test xzh_expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
