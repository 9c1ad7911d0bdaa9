{#- One row per health-record service (服务记录号): the latest version of each
    service record (edge rules 11-12), usable or not (is_usable says), with
    person_key instead of the clear ID (docs/vision-chain.md). The dynamic
    entries of EHR_USE (a usable service dated D-364 … D for the record or
    its person). -#}

with

service_rows as (

    select * from {{ ref('stg_ehr_service__services') }}
    where is_latest_version and service_no is not null

),

final as (

    select
        cast(service_no as varchar) as service_no,
        cast({{ person_key('id_number') }} as varchar) as person_key,
        cast(record_no as varchar) as record_no,
        cast(service_institution_code as varchar) as service_institution_code,
        cast(service_type as varchar) as service_type,
        cast(service_date as date) as service_date,
        cast(updated_at as timestamp) as updated_at,
        cast(is_usable as boolean) as is_usable
    from service_rows

)

select * from final
