{#- true on the one row that stands for its key: the latest version by
    version_column (更新时间; rows where it is NULL are never latest), then
    later business date, higher sequence, later file path, later row
    (edge rules 11 and 12). partition_by: the key columns (and the snapshot
    scope and date for snapshot feeds); a row with a NULL key column is
    never latest. -#}
{% macro latest_version_flag(partition_by, version_column=none) -%}
    (
        {%- for col in partition_by %}{{ col }} is not null and {% endfor %}
        {%- if version_column %}{{ version_column }} is not null and {% endif -%}
        row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by {% if version_column %}{{ version_column }} desc nulls last, {% endif -%}
            _business_date desc, _seq desc, _file_path desc, _row_number desc
        ) = 1
    )
{%- endmacro %}

{#- The version_column of the next version of the same key (the one that
    replaced this row), NULL for the latest version and for rows that are no
    version (NULL key or version_column). "As of D" (edge rule 13) is then
    version_column::date <= D and (next is NULL or next::date > D). -#}
{% macro next_version_at(partition_by, version_column) -%}
    (case
        when {% for col in partition_by %}{{ col }} is not null and {% endfor %}{{ version_column }} is not null
            then lead({{ version_column }}) over (
                partition by {{ partition_by | join(', ') }}, {{ version_column }} is null
                order by {{ version_column }}, _business_date, _seq, _file_path, _row_number
            )
    end)
{%- endmacro %}

{#- Snapshot feeds (edge rule 14): each snapshot of a scope (a sender, or a kindergarten or
    school for rosters) stands until the next snapshot of the same scope. The select of one
    row per scope and snapshot date with that next date (NULL for the latest), from a
    relation or CTE with snapshot_scope and snapshot_date columns. -#}
{% macro snapshot_succession(relation) -%}
    select
        snapshot_scope,
        snapshot_date,
        lead(snapshot_date) over (
            partition by snapshot_scope order by snapshot_date
        ) as next_snapshot_date
    from (
        select distinct
            snapshot_scope,
            snapshot_date
        from {{ relation }}
    ) as snapshots
{%- endmacro %}
