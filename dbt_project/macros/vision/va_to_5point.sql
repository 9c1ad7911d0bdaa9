{#- Uncorrected visual acuity of one eye in 5-point notation (GB 11533), as
    DECIMAL(2,1), per edge rule 16; NULL when blank or invalid.

    value:    the delivered text, read exactly as delivered: a plain decimal
              number, digits with an optional '.' and more digits (no blanks,
              sign or exponent).
    notation: an expression giving '1' (5-point), '2' (decimal) or NULL (not
              given or unreadable: then the range decides), see
              normalize_va_notation.

    5-point values must lie in 4.0-5.3 and round to one decimal; decimal
    values must lie in 0.1-2.0 and become round(5 + log10(v), 1); both round
    half away from zero (0.9 -> 5.0) and the ranges are checked on the value
    as delivered (read as DOUBLE, like the gate). A value outside its
    notation's range (or outside both when no notation is given) is invalid.
    Rounding is DECIMAL, never binary floating point: a 5-point value is
    rounded from its delivered digits; 5 + log10(v) is irrational for every
    decimal v but 1, 0.1 and 10, so its double is exact enough. -#}
{% macro va_to_5point(value, notation) -%}
    {{ return(adapter.dispatch('va_to_5point', 'xzh_platform')(value, notation)) }}
{%- endmacro %}

{% macro default__va_to_5point(value, notation) -%}
    {%- set number = "cast(" ~ value ~ " as double)" -%}
    {#- rounding to tenths depends on the first two decimals only: cut the
        text there (and drop leading zeros) so the DECIMAL cast is exact -#}
    {%- set hundredths = "cast(" ~ xzh_regexp_extract("ltrim(" ~ value ~ ", '0')", '^[0-9]*([.][0-9]{0,2})?') ~ " as decimal(18, 2))" -%}
    (case
        when {{ xzh_full_match(value, '[0-9]+([.][0-9]+)?') }} then
            case
                when coalesce({{ notation }}, '1') = '1' and {{ number }} between 4.0 and 5.3
                    then cast(round({{ hundredths }}, 1) as decimal(2, 1))
                when coalesce({{ notation }}, '2') = '2' and {{ number }} between 0.1 and 2.0
                    then cast(round(cast(5 + log10({{ number }}) as decimal(18, 9)), 1) as decimal(2, 1))
            end
    end)
{%- endmacro %}
