{#- One row per usable kindergarten roster row: a child (valid ID) on the
    roster a kindergarten delivered on snapshot_date, in force until the
    kindergarten's next roster (next_snapshot_date, exclusive; NULL = latest).
    Two roster files of one kindergarten and business date count together;
    a child listed twice in them is one row. The kindergarten's district is
    the county (first 6 digits) of its 所在街道代码 (edge rule 21). -#}

with

rosters as (

    select * from {{ ref('stg_kg_roster__enrolments') }}
    where is_latest_version and is_usable and child_id_number is not null

),

final as (

    select
        {{ person_key('child_id_number') }} as person_key,
        kindergarten_code,
        left(street_code, 6) as kindergarten_district_code,
        snapshot_date,
        next_snapshot_date,
        enrol_date,
        class_name
    from rosters

)

select * from final
