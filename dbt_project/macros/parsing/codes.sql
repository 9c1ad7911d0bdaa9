{#- 性别代码 / 性别 as a GB/T 2261.1 code: '1' 男, '2' 女, '0' 未知, '9' 未说明;
    the text 男 / 女 maps to '1' / '2' (edge rule 9); read exactly as delivered,
    anything else (blanks around too) is NULL. -#}
{% macro normalize_sex(col) -%}
    {%- set text = col -%}
    (case
        when {{ text }} in ('1', '2', '0', '9') then {{ text }}
        when {{ text }} = '男' then '1'
        when {{ text }} = '女' then '2'
    end)
{%- endmacro %}

{#- 视力记录方式 as '1' (5分, 5-point) or '2' (小数, decimal); the texts 5分 /
    小数 are accepted too (edge rule 9); read exactly as delivered, anything
    else is NULL. -#}
{% macro normalize_va_notation(col) -%}
    {%- set text = col -%}
    (case
        when {{ text }} in ('1', '5分') then '1'
        when {{ text }} in ('2', '小数') then '2'
    end)
{%- endmacro %}

{#- A code column read strictly against its contract code set
    (xzh_contract().feeds[feed].columns), exactly as delivered: the code, or
    NULL when outside the set. -#}
{% macro contract_code(col, feed, column) -%}
    {%- set codes = contract_column(feed, column).codes -%}
    {%- if not codes -%}
        {{ exceptions.raise_compiler_error("contract column " ~ feed ~ "." ~ column ~ " has no code set") }}
    {%- endif -%}
    {%- set text = col -%}
    (case when {{ text }} in ('{{ codes | join("', '") }}') then {{ text }} end)
{%- endmacro %}
