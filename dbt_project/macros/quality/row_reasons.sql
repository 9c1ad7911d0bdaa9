{#- The row rules of a feed (ingest/contract.py row_rules, in its order) as
    SQL, for a staging CTE that has, for every contract column c:
      c__text  the delivered text, trimmed, NULL when blank (clean_text)
      c        the typed value read from the delivered text c__raw: NULL when
               blank or unreadable
    Emits two select-list items:
      reason_codes  every broken rule's code ('missing:check_date',
                    'bad_id:child_id_number', ...), ';'-separated in contract
                    order; NULL when the row breaks no rule
      is_usable     true when no broken rule has severity error -#}
{% macro row_reasons(feed) -%}
    {%- set rules = xzh_contract().feeds[feed].rules -%}
    nullif(concat_ws(';'
        {%- for rule in rules %},
        case when {{ row_rule_broken(feed, rule) }} then '{{ rule.code }}' end
        {%- endfor %}
    ), '') as reason_codes,
    not (false
        {%- for rule in rules if rule.severity == 'error' %}
        or coalesce({{ row_rule_broken(feed, rule) }}, false)
        {%- endfor %}
    ) as is_usable
{%- endmacro %}

{#- The SQL condition under which one row rule is broken (edge rules 8, 9, 16). -#}
{% macro row_rule_broken(feed, rule) -%}
    {%- set c = rule.column -%}
    {%- if rule.rule == 'missing' -%}
        {{ c }}__text is null
    {%- elif rule.rule in ('bad_id', 'bad_date', 'bad_datetime', 'bad_code', 'bad_va') -%}
        ({{ c }}__text is not null and {{ c }} is null)
    {%- elif rule.rule == 'id_birth_mismatch' -%}
        {%- set birth = xzh_contract().feeds[feed].person[1] -%}
        ({{ c }} is not null and {{ birth }} is not null and {{ id_birth_date(c) }} <> {{ birth }})
    {%- elif rule.rule == 'id_sex_mismatch' -%}
        {#- 0 未知 / 9 未说明 state no sex, so they cannot contradict the ID -#}
        {%- set sex = xzh_contract().feeds[feed].person[2] -%}
        ({{ c }} is not null and {{ sex }} in ('1', '2') and {{ id_sex(c) }} <> {{ sex }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown row rule " ~ rule.code ~ " of feed " ~ feed) }}
    {%- endif -%}
{%- endmacro %}

{#- The select list of a staging model's first CTE: the lineage columns as
    they are, then every contract column c of the feed as c__raw (the
    delivered text, to be read by the typing macros) and c__text (clean_text:
    trimmed, NULL when blank). -#}
{% macro cleaned_contract_columns(feed) -%}
    {%- for col in xzh_contract().lineage %}
        {{ col }},
    {%- endfor %}
    {%- for c in xzh_contract().feeds[feed].columns %}
        {{ c.name }} as {{ c.name }}__raw,
        {{ clean_text(c.name) }} as {{ c.name }}__text{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The lineage columns, last in every staging model's select list (except
    those the model already selected earlier, e.g. _sender in a record key). -#}
{% macro lineage_columns(exclude=[]) -%}
    {%- set cols = [] -%}
    {%- for col in xzh_contract().lineage if col not in exclude -%}
        {%- do cols.append(col) -%}
    {%- endfor -%}
    {%- for col in cols %}
        {{ col }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
