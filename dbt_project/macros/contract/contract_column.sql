{#- One column of a feed in the contract (name, header, kind, required, codes). -#}
{% macro contract_column(feed, column) -%}
    {%- for c in xzh_contract().feeds[feed].columns if c.name == column -%}
        {{ return(c) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("feed " ~ feed ~ " has no column " ~ column ~ " in ingest/contract.py") }}
{%- endmacro %}
