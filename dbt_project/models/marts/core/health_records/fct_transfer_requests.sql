{#- One row per transfer request (迁档申请) and version day: the request as
    it stands at the end of each day its 更新时间 falls on (edge rules 11-13;
    a request and its answer share the 申请编号, edge rule 10). Of several
    versions on one day the latest stands. valid_to is the next version day
    (exclusive; NULL = current). As of D the request is the version with
    valid_from <= D < coalesce(valid_to, infinity); a request first recorded
    after D does not exist at D, an answer recorded after D is not known. -#}

with

transfer_rows as (

    select * from {{ ref('stg_transfer__transfer_requests') }}
    where request_no is not null and updated_at is not null

),

last_of_day as (

    select
        *,
        cast(updated_at as date) as valid_from
    from transfer_rows
    qualify row_number() over (
        partition by request_no, cast(updated_at as date)
        order by updated_at desc, _business_date desc, _seq desc, _file_path desc, _row_number desc
    ) = 1

),

final as (

    select
        cast(request_no as varchar) as request_no,
        cast({{ person_key('id_number') }} as varchar) as person_key,
        cast(record_no as varchar) as record_no,
        cast(from_institution_code as varchar) as from_institution_code,
        cast(to_institution_code as varchar) as to_institution_code,
        cast(request_date as date) as requested_date,
        cast(answered_date as date) as answered_date,
        cast(reason_code as varchar) as reason_code,
        cast(status_code as varchar) as status_code,
        cast(coalesce(escalated_flag = '1', false) as boolean) as is_escalated,
        cast(is_usable as boolean) as is_usable,
        cast(updated_at as timestamp) as updated_at,
        cast(valid_from as date) as valid_from,
        cast(lead(valid_from) over (partition by request_no order by valid_from) as date) as valid_to,
        cast(min(valid_from) over (partition by request_no) as date) as first_recorded_date
    from last_of_day

)

select * from final
