{#- Re-monitoring marks of a health-record worklist. Expects the CTEs
    list_dates (list_date, previous_list_date) and listed (list_date first,
    then the list's columns); emits the select of every row of listed with
    change_since_previous `new` (not on the previous list) or `still_open`,
    plus, once, each row of the previous list that is no longer listed,
    under the new list date with `resolved` and its previous values. -#}
{% macro ehr_worklist_changes(key_columns, columns) %}
    select
        {%- for col in columns %}
        listed.{{ col }},
        {%- endfor %}
        case when previous.{{ key_columns[0] }} is null then 'new' else 'still_open' end as change_since_previous
    from listed
    inner join list_dates
        on listed.list_date = list_dates.list_date
    left join listed as previous
        on
            previous.list_date = list_dates.previous_list_date
            {%- for key in key_columns %}
            and listed.{{ key }} = previous.{{ key }}
            {%- endfor %}

    union all

    select
        {%- for col in columns %}
        {% if col == 'list_date' %}list_dates.list_date{% else %}previous.{{ col }}{% endif %},
        {%- endfor %}
        'resolved' as change_since_previous
    from list_dates
    inner join listed as previous
        on previous.list_date = list_dates.previous_list_date
    left join listed as still_listed
        on
            still_listed.list_date = list_dates.list_date
            {%- for key in key_columns %}
            and previous.{{ key }} = still_listed.{{ key }}
            {%- endfor %}
    where still_listed.{{ key_columns[0] }} is null
{% endmacro %}
