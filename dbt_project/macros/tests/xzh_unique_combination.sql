{#- Generic test: no two rows share the values of `columns` (rows with a NULL
    in any of them are ignored). Combine with `config: where:` to scope it,
    e.g. to latest versions. Fails with one row per duplicated combination. -#}
{% test xzh_unique_combination(model, columns) %}

with

keyed as (

    select {{ columns | join(', ') }}
    from {{ model }}
    where {% for col in columns %}{{ col }} is not null{{ " and " if not loop.last }}{% endfor %}

),

duplicates as (

    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from keyed
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from duplicates

{% endtest %}
