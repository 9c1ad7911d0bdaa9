{#- The pseudonymous person key (docs/vision-chain.md): HMAC-SHA256 of a
    normalized 18-character ID, as 64 lower-case hex characters; NULL for NULL.

    HMAC(k, m) = H(opad_key || H(ipad_key || m)) (RFC 2104). The padded keys
    are BLOB connection variables set by the dbt-duckdb plugin xzh.dbt_plugin
    from XZH_PERSON_KEY_SECRET, so the secret is never in compiled SQL.
    xzh.person_key.person_key(id) gives the same value in Python. -#}
{% macro person_key(expr) -%}
    {{ return(adapter.dispatch('person_key', 'xzh_platform')(expr)) }}
{%- endmacro %}

{% macro duckdb__person_key(expr) -%}
    (case
        when ({{ expr }}) is not null
            then sha256(
                getvariable('xzh_hmac_opad')
                || unhex(sha256(getvariable('xzh_hmac_ipad') || encode({{ expr }})))
            )
    end)
{%- endmacro %}
