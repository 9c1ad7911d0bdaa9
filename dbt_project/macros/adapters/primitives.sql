{#- The few engine-specific expressions the staging macros need, dispatched per
    adapter (design.md: keep SQL portable). Only duckdb is implemented; another
    engine adds <adapter>__<macro> next to these (e.g. trino: regexp_like,
    spark: rlike / to_date). -#}

{#- Blanks, as a SQL string expression: space, tab, LF, CR, VT, FF, the
    no-break space U+00A0 and the full-width space U+3000 - the same set as
    the gate (expectations/id_numbers.py BLANKS), so both agree on what is
    blank. They are stripped around ID numbers (edge rule 8) and text values;
    a value of blanks only is blank. Dates, times, codes and VA are read
    exactly as delivered (a blank around them makes them unreadable). -#}
{% macro xzh_blank_chars() -%}
    (' ' || chr(9) || chr(10) || chr(13) || chr(11) || chr(12) || chr(160) || chr(12288))
{%- endmacro %}

{#- The same characters as a list of SQL string expressions, for IN (...). -#}
{% macro xzh_blank_char_list() -%}
    ' ', chr(9), chr(10), chr(13), chr(11), chr(12), chr(160), chr(12288)
{%- endmacro %}

{#- expr without surrounding blanks (xzh_blank_chars); '' and NULL stay as
    they are. Trimming runs only when the first or last character is a blank:
    most delivered values are clean and this keeps them cheap. -#}
{% macro xzh_trim_blanks(expr) -%}
    (case
        when left({{ expr }}, 1) in ({{ xzh_blank_char_list() }})
            or right({{ expr }}, 1) in ({{ xzh_blank_char_list() }})
            then {{ xzh_trim_chars(expr, xzh_blank_chars()) }}
        else {{ expr }}
    end)
{%- endmacro %}

{#- true when the whole of expr matches the RE2 pattern -#}
{% macro xzh_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('xzh_full_match', 'xzh_platform')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xzh_full_match(expr, pattern) -%}
    {{ exceptions.raise_compiler_error("xzh_full_match is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__xzh_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- expr with every character of the SQL string expression chars removed from both ends -#}
{% macro xzh_trim_chars(expr, chars) -%}
    {{ return(adapter.dispatch('xzh_trim_chars', 'xzh_platform')(expr, chars)) }}
{%- endmacro %}

{% macro default__xzh_trim_chars(expr, chars) -%}
    {{ exceptions.raise_compiler_error("xzh_trim_chars is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__xzh_trim_chars(expr, chars) -%}
    trim({{ expr }}, {{ chars }})
{%- endmacro %}

{#- a timestamp parsed from expr with a strftime format (or the first of a
    list of formats that fits), NULL when it is not a real date/time in it -#}
{% macro xzh_try_strptime(expr, format) -%}
    {{ return(adapter.dispatch('xzh_try_strptime', 'xzh_platform')(expr, format)) }}
{%- endmacro %}

{% macro default__xzh_try_strptime(expr, format) -%}
    {{ exceptions.raise_compiler_error("xzh_try_strptime is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__xzh_try_strptime(expr, format) -%}
    {%- if format is string -%}
        try_strptime({{ expr }}, '{{ format }}')
    {%- else -%}
        try_strptime({{ expr }}, ['{{ format | join("', '") }}'])
    {%- endif -%}
{%- endmacro %}

{#- expr with every character matching the RE2 class removed -#}
{% macro xzh_remove_chars(expr, pattern) -%}
    {{ return(adapter.dispatch('xzh_remove_chars', 'xzh_platform')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xzh_remove_chars(expr, pattern) -%}
    {{ exceptions.raise_compiler_error("xzh_remove_chars is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__xzh_remove_chars(expr, pattern) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '', 'g')
{%- endmacro %}


{#- the part of expr matching the RE2 pattern ('' when none) -#}
{% macro xzh_regexp_extract(expr, pattern) -%}
    {{ return(adapter.dispatch('xzh_regexp_extract', 'xzh_platform')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xzh_regexp_extract(expr, pattern) -%}
    {{ exceptions.raise_compiler_error("xzh_regexp_extract is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__xzh_regexp_extract(expr, pattern) -%}
    regexp_extract({{ expr }}, '{{ pattern }}')
{%- endmacro %}
