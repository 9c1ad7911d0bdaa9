{#- SQL rows shaped like a raw batch of `feed` (lineage, every canonical column
    as text, _extra), for unit tests whose input is an external Parquet source
    (dbt cannot introspect those, so the fixture uses `format: sql`):

        given:
          - input: source('raw', 'eye_check')
            format: sql
            rows: |
              {{ raw_fixture('eye_check', [{'check_no': 'C1', ...}, ...]) }}

    Columns a row does not name are NULL (the column was absent from the file);
    lineage defaults: _sender 'S1', _business_date 2026-01-01, _seq 1,
    _file_path 'f.csv', _row_number = position in the list. -#}
{% macro raw_fixture(feed, rows) -%}
    {%- set defaults = {
        '_batch_id': "'b'",
        '_feed': "'" ~ feed ~ "'",
        '_sender': "'S1'",
        '_business_date': "date '2026-01-01'",
        '_seq': "1",
        '_file_sha256': "'0'",
        '_file_path': "'f.csv'",
        '_loaded_at': "timestamptz '2026-01-01 00:00:00+00'",
        '_extra': "null",
    } -%}
    {%- set types = {
        '_business_date': 'date', '_seq': 'integer', '_row_number': 'integer',
        '_loaded_at': 'timestamptz',
    } -%}
    {%- for row in rows %}
    {%- set row_index = loop.index %}
    select
        {%- for col in xzh_contract().lineage %}
        {%- if col in row %}
        cast({{ "null" if row[col] is none else "'" ~ (row[col] | string | replace("'", "''")) ~ "'" }} as {{ types.get(col, 'varchar') }}) as {{ col }},
        {%- elif col == '_row_number' %}
        cast({{ row_index }} as integer) as _row_number,
        {%- else %}
        cast({{ defaults[col] }} as {{ types.get(col, 'varchar') }}) as {{ col }},
        {%- endif %}
        {%- endfor %}
        {%- for c in xzh_contract().feeds[feed].columns %}
        cast({{ "null" if row.get(c.name) is none else "'" ~ (row[c.name] | string | replace("'", "''")) ~ "'" }} as varchar) as {{ c.name }}{{ "," if not loop.last }}
        {%- endfor %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
