{#- A delivered value as text: surrounding blanks (xzh_blank_chars) trimmed,
    NULL when nothing is left (blank cell, or column absent from the file). -#}
{% macro clean_text(col) -%}
    nullif({{ xzh_trim_blanks(col) }}, '')
{%- endmacro %}
