{#- Completed years (周岁) from birth_date to on_date, both DATE; NULL when
    either is NULL. Comparing (month, day) pairs gives edge rule 15 for free:
    a 29 February birthday is reached on 1 March in common years. -#}
{% macro completed_years(birth_date, on_date) -%}
    (year({{ on_date }}) - year({{ birth_date }})
        - case
            when month({{ on_date }}) < month({{ birth_date }})
                or (month({{ on_date }}) = month({{ birth_date }}) and day({{ on_date }}) < day({{ birth_date }}))
                then 1
            else 0
        end)
{%- endmacro %}
