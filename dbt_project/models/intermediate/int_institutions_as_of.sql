{#- One row per sender's registry snapshot and institution: the snapshot as
    a validity span (edge rule 14). The institution registry at D is every
    sender's latest snapshot on or before D, else its earliest: a span runs
    from its snapshot date (the sender's earliest snapshot from 1900-01-01)
    to the sender's next snapshot date (exclusive; NULL = open). At D:
    valid_from <= D and (valid_to is null or valid_to > D). -#}

with

institutions as (

    select * from {{ ref('stg_institution__institutions') }}
    where is_latest_version and is_usable

),

first_snapshots as (

    select
        _sender,
        min(snapshot_date) as first_snapshot_date
    from {{ ref('stg_institution__institutions') }}
    group by _sender

),

final as (

    select
        institutions.institution_code,
        institutions.institution_name,
        institutions.institution_category,
        institutions.district_code,
        institutions.served_street_codes,
        institutions.active_flag,
        institutions._sender as sender_code,
        institutions.snapshot_date,
        institutions.next_snapshot_date as valid_to,
        institutions.active_flag = '1' as is_active,
        case
            when institutions.snapshot_date = first_snapshots.first_snapshot_date then date '1900-01-01'
            else institutions.snapshot_date
        end as valid_from
    from institutions
    inner join first_snapshots
        on institutions._sender = first_snapshots._sender

)

select * from final
