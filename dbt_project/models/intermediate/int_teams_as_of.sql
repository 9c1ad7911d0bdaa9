{#- One row per sender's team-registry snapshot and team: the snapshot as a
    validity span (edge rule 14), as int_institutions_as_of: from the
    snapshot date (the sender's earliest snapshot from 1900-01-01) to the
    sender's next snapshot date (exclusive; NULL = open). -#}

with

teams as (

    select * from {{ ref('stg_team__teams') }}
    where is_latest_version and is_usable

),

first_snapshots as (

    select
        _sender,
        min(snapshot_date) as first_snapshot_date
    from {{ ref('stg_team__teams') }}
    group by _sender

),

final as (

    select
        teams.team_code,
        teams.institution_code,
        teams.team_name,
        teams.active_flag,
        teams._sender as sender_code,
        teams.snapshot_date,
        teams.next_snapshot_date as valid_to,
        teams.active_flag = '1' as is_active,
        case
            when teams.snapshot_date = first_snapshots.first_snapshot_date then date '1900-01-01'
            else teams.snapshot_date
        end as valid_from
    from teams
    inner join first_snapshots
        on teams._sender = first_snapshots._sender

)

select * from final
