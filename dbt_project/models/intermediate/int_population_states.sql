{#- One row per person and population state date: the person's row in the
    population as it stands on each date a population snapshot starts
    (edge rule 14): each sender's latest snapshot on or before that date,
    united; within a snapshot the latest 更新时间 per ID; usable rows only
    (a row whose 出生日期 disagrees with the ID is unusable in population,
    edge rule 8). A person in two senders' snapshots keeps the row of the
    later snapshot (then later 更新时间, then smaller sender code). -#}

with

population as (

    select * from {{ ref('stg_population__persons') }}
    where is_latest_version and is_usable and id_number is not null

),

snapshots as (

    select distinct
        _sender as sender_code,
        snapshot_date,
        next_snapshot_date
    from {{ ref('stg_population__persons') }}

),

snapshot_dates as (

    select distinct snapshot_date from snapshots

),

state_dates as (

    select
        snapshot_date as state_date,
        row_number() over (order by snapshot_date) as state_seq
    from snapshot_dates

),

-- which snapshot of each sender stands on each state date
standing_snapshots as (

    select
        state_dates.state_date,
        state_dates.state_seq,
        snapshots.sender_code,
        snapshots.snapshot_date
    from state_dates
    inner join snapshots
        on
            state_dates.state_date >= snapshots.snapshot_date
            and (snapshots.next_snapshot_date is null or state_dates.state_date < snapshots.next_snapshot_date)

),

states as (

    select
        standing_snapshots.state_date,
        standing_snapshots.state_seq,
        population.id_number,
        population.street_code,
        population.resident_flag,
        population.death_date,
        population.snapshot_date,
        row_number() over (
            partition by standing_snapshots.state_date, population.id_number
            order by population.snapshot_date desc, population.updated_at desc, population._sender asc
        ) as person_rank
    from standing_snapshots
    inner join population
        on
            standing_snapshots.sender_code = population._sender
            and standing_snapshots.snapshot_date = population.snapshot_date

),

final as (

    select
        {{ person_key('id_number') }} as person_key,
        state_date,
        state_seq,
        {{ id_birth_date('id_number') }} as birth_date,
        {{ id_sex('id_number') }} as sex_code,
        street_code,
        left(street_code, 6) as district_code,
        resident_flag = '1' as is_resident,
        death_date,
        snapshot_date
    from states
    where person_rank = 1

)

select * from final
