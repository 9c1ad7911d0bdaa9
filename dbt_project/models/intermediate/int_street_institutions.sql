{#- One row per street and validity span: the institution serving the
    street (edge rule 24): among the active B/C institutions of the registry
    as of D (int_institutions_as_of) whose 服务街道代码 (';'-separated) lists
    the street, the smallest code. Spans run between the registry's change
    dates (valid_to exclusive, NULL = open); a street with no serving
    institution over a span has no row for it. -#}

with

institutions as (

    select * from {{ ref('int_institutions_as_of') }}

),

serving as (

    select
        institutions.institution_code,
        institutions.valid_from,
        institutions.valid_to,
        trim(street.street_code) as street_code
    from institutions
    cross join unnest(string_split(replace(institutions.served_street_codes, ',', ';'), ';')) as street (street_code)
    where
        institutions.is_active
        and institutions.institution_category in ('B', 'C')
        and trim(street.street_code) <> ''

),

boundaries as (

    select valid_from as boundary_date from institutions
    union
    select valid_to as boundary_date from institutions
    where valid_to is not null

),

intervals as (

    select
        boundary_date as interval_from,
        lead(boundary_date) over (order by boundary_date) as interval_to
    from boundaries

),

resolved as (

    select
        serving.street_code,
        intervals.interval_from,
        intervals.interval_to,
        min(serving.institution_code) as institution_code
    from intervals
    inner join serving
        on
            intervals.interval_from >= serving.valid_from
            and (serving.valid_to is null or intervals.interval_from < serving.valid_to)
    group by serving.street_code, intervals.interval_from, intervals.interval_to

),

islands as (

    select
        *,
        row_number() over (partition by street_code order by interval_from)
        - row_number() over (partition by street_code, institution_code order by interval_from) as island
    from resolved

),

final as (

    select
        street_code,
        institution_code,
        left(street_code, 6) as district_code,
        min(interval_from) as valid_from,
        -- the open interval has no end: null wins
        case when count(*) = count(interval_to) then max(interval_to) end as valid_to
    from islands
    group by street_code, institution_code, island

)

select * from final
