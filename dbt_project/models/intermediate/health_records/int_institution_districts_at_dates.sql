{#- One row per evaluation date D and institution in the registry at D: its 所在区划代码
    as of D (edge rule 14). Should two senders' registries both list the institution, the
    latest snapshot holding D decides, then the smaller sender code. Resolved here once (a
    few thousand rows) so the per-date tables of records, residents and requests join it
    instead of ranking their own rows. -#}

with

evaluation_dates as (

    select * from {{ ref('int_ehr_evaluation_dates') }}

),

institutions as (

    select * from {{ ref('int_institutions_as_of') }}

),

final as (

    select
        evaluation_dates.as_of_date,
        institutions.institution_code,
        institutions.district_code
    from evaluation_dates
    inner join institutions
        on
            evaluation_dates.as_of_date >= institutions.valid_from
            and (institutions.valid_to is null or evaluation_dates.as_of_date < institutions.valid_to)
    qualify row_number() over (
        partition by evaluation_dates.as_of_date, institutions.institution_code
        order by institutions.snapshot_date desc, institutions.sender_code asc
    ) = 1

)

select * from final
