{#- The health-record indicators (indicators.md "Health records", edge rules
    13, 23-29): one row per indicator, calendar period, level and unit, with
    the columns of indicators.indicator_results plus period_basis
    ('calendar'). indicator_results unions this model with the vision chain. -#}

with

ehr_cov as (

    select * from {{ ref('ind_ehr_cov') }}

),

ehr_use as (

    select * from {{ ref('ind_ehr_use') }}

),

ehr_unique as (

    select * from {{ ref('ind_ehr_unique') }}

),

ehr_placed as (

    select * from {{ ref('ind_ehr_placed') }}

),

ehr_xfer_timely as (

    select * from {{ ref('ind_ehr_xfer_timely') }}

),

unioned as (

    select * from ehr_cov
    union all
    select * from ehr_use
    union all
    select * from ehr_unique
    union all
    select * from ehr_placed
    union all
    select * from ehr_xfer_timely

),

final as (

    select
        indicator_code,
        period_type,
        period_label,
        statistical_year,
        period_start,
        period_end,
        level,
        unit_code,
        unit_name,
        district_code,
        numerator,
        denominator,
        rate,
        target,
        direction,
        target_met,
        period_basis
    from unioned

)

select * from final
