{#- A model's custom schema is used as is (staging, codes, ...), not prefixed
    with the target schema: statisticians query staging.stg_... directly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
