{#- A date delivered as YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD (extract-interface
    §2; XLSX date cells arrive as YYYY-MM-DD), read exactly as delivered (no
    blanks around). Only real calendar dates (year 0001-9999) read; anything
    else is NULL. -#}
{% macro parse_date(col) -%}
    {{ return(adapter.dispatch('parse_date', 'xzh_platform')(col)) }}
{%- endmacro %}

{% macro default__parse_date(col) -%}
    {%- set text = col -%}
    {#- the pattern fixes the form; strptime then checks the calendar -#}
    cast((case
        when {{ xzh_full_match(text, '[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}|[0-9]{4}/[0-9]{2}/[0-9]{2}') }}
            and left({{ text }}, 4) <> '0000'
            then {{ xzh_try_strptime(text, ['%Y-%m-%d', '%Y%m%d', '%Y/%m/%d']) }}
    end) as date)
{%- endmacro %}

{#- 更新时间 read in any form of edge rule 11, as a local (Asia/Shanghai)
    timestamp without zone, NULL when unreadable. Accepted, exactly as
    delivered (no blanks around): a date part YYYY-MM-DD, YYYY/MM/DD or
    YYYYMMDD, alone (midnight) or followed by ' ' or 'T' and HH:MM, HH:MM:SS or
    HH:MM:SS.fraction; or no separator at all: YYYYMMDDHHMM, YYYYMMDDHHMMSS or
    YYYYMMDDHHMMSS.fraction. Fractions keep microseconds (further digits are
    cut). The date and time must be real (hour 00-23, minute and second 00-59). -#}
{% macro parse_datetime(col) -%}
    {{ return(adapter.dispatch('parse_datetime', 'xzh_platform')(col)) }}
{%- endmacro %}

{% macro default__parse_datetime(col) -%}
    {%- set text = col -%}
    {%- set pattern -%}
        ([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[0-9]{8})([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?|[0-9]{12}([0-9]{2}([.][0-9]+)?)?
    {%- endset -%}
    {#- digits: YYYYMMDD[HHMM[SS]] then the fraction's digits after a dot -#}
    {%- set digits = xzh_remove_chars(text, '[^0-9.]') -%}
    {%- set whole = "split_part(" ~ digits ~ ", '.', 1)" -%}
    {%- set fraction = "split_part(" ~ digits ~ ", '.', 2)" -%}
    {#- fast path: the contract's own form YYYY-MM-DD HH:MM:SS -#}
    (case
        when {{ xzh_full_match(text, '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}') }}
            and left({{ text }}, 4) <> '0000'
            then {{ xzh_try_strptime(text, '%Y-%m-%d %H:%M:%S') }}
        when {{ xzh_full_match(text, pattern) }} and left({{ text }}, 4) <> '0000'
            then {{ xzh_try_strptime("rpad(" ~ whole ~ ", 14, '0')", '%Y%m%d%H%M%S') }}
                + cast(rpad(substr({{ fraction }}, 1, 6), 6, '0') as integer) * interval '1 microsecond'
    end)
{%- endmacro %}
