{#- true when the text is a 统一社会信用代码 with a correct GB 32100-2015 check
    character (18 characters of 0-9 A-H J-N P-R T U W-Y, weights
    1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = 31 - (sum mod 31),
    31 -> 0); false otherwise, NULL for NULL. Used for the sender registry
    (edge rule 7); not a row rule. -#}
{% macro is_valid_uscc(col) -%}
    {%- set charset = '0123456789ABCDEFGHJKLMNPQRTUWXY' -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    (case
        when {{ col }} is null then null
        when not {{ xzh_full_match(col, '[0-9A-HJ-NP-RTUW-Y]{18}') }} then false
        else right({{ col }}, 1) = substr('{{ charset }}', (31 - mod(
            {%- for w in weights %}
            (strpos('{{ charset }}', substr({{ col }}, {{ loop.index }}, 1)) - 1) * {{ w }}{{ " +" if not loop.last }}
            {%- endfor %}, 31)) % 31 + 1, 1)
    end)
{%- endmacro %}
