{#- One row per delivered file: the latest ledger event of each (path, sha256). -#}

with

source as (

    select * from {{ source('ingest', 'load_ledger') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by file_path, file_sha256
            order by decided_at desc, run_id desc
        ) as event_rank
    from source

),

final as (

    select
        file_path,
        file_sha256,
        feed,
        sender,
        business_date,
        seq,
        batch_id,
        status,
        reason_code,
        message,
        rows_in,
        rows_malformed,
        rows_loaded,
        rows_flagged,
        rows_warned,
        bytes,
        file_format,
        encoding,
        duplicate_of,
        superseded_by,
        file_mtime as arrived_at,
        -- Asia/Shanghai has no daylight saving: local time is UTC + 8 hours
        cast({{ dbt.dateadd('hour', 8, 'file_mtime') }} as date) as arrival_date,
        decided_at,
        run_id
    from ranked
    where event_rank = 1

)

select * from final
