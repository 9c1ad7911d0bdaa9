{#- One row per usable first-grade roster row: a pupil (valid ID) on the
    roster a school delivered on snapshot_date, in force until the school's
    next roster (next_snapshot_date, exclusive; NULL = latest).
    The extract carries no school address: school_district_code is the
    district where most of the school's pupils on that roster live in the
    population at the roster date (ties: smaller code; NULL when none is in
    the population). Indicators count a pupil in the pupil's own district
    (edge rule 22); this column is for school-level listings only. -#}

with

entrants as (

    select * from {{ ref('stg_school_entry__entrants') }}
    where is_latest_version and is_usable and student_id_number is not null

),

residences as (

    select * from {{ ref('dim_resident_residences') }}

),

keyed as (

    select
        {{ person_key('student_id_number') }} as person_key,
        school_code,
        entry_date,
        snapshot_date,
        next_snapshot_date,
        former_kindergarten_code
    from entrants

),

pupil_districts as (

    select
        keyed.school_code,
        keyed.snapshot_date,
        residences.district_code,
        count(*) as n_pupils
    from keyed
    inner join residences
        on
            keyed.person_key = residences.person_key
            and keyed.snapshot_date >= residences.valid_from
            and (residences.valid_to is null or keyed.snapshot_date < residences.valid_to)
    group by keyed.school_code, keyed.snapshot_date, residences.district_code

),

school_districts as (

    select
        school_code,
        snapshot_date,
        district_code,
        row_number() over (
            partition by school_code, snapshot_date
            order by n_pupils desc, district_code asc
        ) as district_rank
    from pupil_districts

),

final as (

    select
        keyed.person_key,
        keyed.school_code,
        school_districts.district_code as school_district_code,
        keyed.entry_date,
        keyed.snapshot_date,
        keyed.next_snapshot_date,
        keyed.former_kindergarten_code
    from keyed
    left join school_districts
        on
            keyed.school_code = school_districts.school_code
            and keyed.snapshot_date = school_districts.snapshot_date
            and school_districts.district_rank = 1

)

select * from final
