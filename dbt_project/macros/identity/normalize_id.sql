{#- 身份证号 (GB 11643-1999) normalized as edge rule 8 says, or NULL.

    - surrounding blanks are stripped (xzh_blank_chars: U+3000 too);
    - full-width digits fold to ASCII, x / Ｘ / ｘ fold to X;
    - what is left must be 17 digits and a digit or X, or 15 digits (a blank
      or any other character inside makes it invalid);
    - a 15-digit number always gains '19' before its 6-digit birth date and
      the check character is computed;
    - an 18-character number's check character must be the ISO 7064
      MOD 11-2 one;
    - the 8-digit birth date must be a real date (year 0001 to 9999);
    - the 6-digit area code is not checked against any table.

    Returns the 18-character normalized ID (upper-case X) or NULL.
    Idempotent: normalize_id(normalize_id(x)) = normalize_id(x). -#}
{% macro normalize_id(col) -%}
    {{ return(adapter.dispatch('normalize_id', 'xzh_platform')(col)) }}
{%- endmacro %}

{% macro default__normalize_id(col) -%}
    {#- Fast path: most IDs arrive clean (ASCII, upper-case X, no blanks) and
        skip the folding; the others are trimmed and folded first. Each branch
        mentions its text a few times only: engines do not share common
        subexpressions inside CASE. -#}
    {%- set folded -%}
        translate({{ xzh_trim_blanks(col) }}, '０１２３４５６７８９ｘＸx', '0123456789XXX')
    {%- endset -%}
    (case
        when {{ xzh_full_match(col, '[0-9]{17}[0-9X]|[0-9]{15}') }} then {{ gb11643_normalize_folded(col) }}
        else {{ gb11643_normalize_folded(folded) }}
    end)
{%- endmacro %}

{% macro duckdb__normalize_id(col) -%}
    {#- As default__, but the slow path binds the folded text once (a lambda
        over a one-element list) instead of repeating its expression. -#}
    (case
        when {{ xzh_full_match(col, '[0-9]{17}[0-9X]|[0-9]{15}') }} then {{ gb11643_normalize_folded(col) }}
        else list_transform(
            [translate({{ xzh_trim_blanks(col) }}, '０１２３４５６７８９ｘＸx', '0123456789XXX')],
            lambda xzh_folded_id: {{ gb11643_normalize_folded('xzh_folded_id') }}
        )[1]
    end)
{%- endmacro %}

{#- normalize_id for text that is already trimmed and folded. -#}
{% macro gb11643_normalize_folded(folded) -%}
    {%- set upgraded = "left(" ~ folded ~ ", 6) || '19' || substr(" ~ folded ~ ", 7, 9)" -%}
    (case
        when {{ xzh_full_match(folded, '[0-9]{17}[0-9X]') }}
            and substr({{ folded }}, 7, 4) <> '0000'
            and {{ xzh_try_strptime('substr(' ~ folded ~ ', 7, 8)', '%Y%m%d') }} is not null
            and right({{ folded }}, 1) = {{ gb11643_check_char('left(' ~ folded ~ ', 17)') }}
            then {{ folded }}
        when {{ xzh_full_match(folded, '[0-9]{15}') }}
            and {{ xzh_try_strptime("'19' || substr(" ~ folded ~ ", 7, 6)", '%Y%m%d') }} is not null
            then {{ upgraded }} || {{ gb11643_check_char(upgraded) }}
    end)
{%- endmacro %}

{#- ISO 7064 MOD 11-2 check character of the 17-digit text expression digits17:
    weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 -> X. -#}
{% macro gb11643_check_char(digits17) -%}
    {{ return(adapter.dispatch('gb11643_check_char', 'xzh_platform')(digits17)) }}
{%- endmacro %}

{% macro default__gb11643_check_char(digits17) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    substr('10X98765432', mod(
        {%- for w in weights %}
        cast(substr({{ digits17 }}, {{ loop.index }}, 1) as integer) * {{ w }}{{ " +" if not loop.last }}
        {%- endfor %}, 11) + 1, 1)
{%- endmacro %}

{% macro duckdb__gb11643_check_char(digits17) -%}
    {#- the digits as one list: the text is read once; sums stay below 2^53 -#}
    substr('10X98765432', cast(list_inner_product(
        cast(string_split({{ digits17 }}, '') as double []),
        [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]::double []
    ) as integer) % 11 + 1, 1)
{%- endmacro %}

{#- The birth date written in a normalized ID (positions 7-14), as a date. -#}
{% macro id_birth_date(id) -%}
    cast({{ xzh_try_strptime('substr(' ~ id ~ ', 7, 8)', '%Y%m%d') }} as date)
{%- endmacro %}

{#- The sex written in a normalized ID as a GB/T 2261.1 code: the 17th digit
    odd -> '1' (男), even -> '2' (女); NULL for NULL. -#}
{% macro id_sex(id) -%}
    (case mod(cast(substr({{ id }}, 17, 1) as integer), 2) when 1 then '1' when 0 then '2' end)
{%- endmacro %}
