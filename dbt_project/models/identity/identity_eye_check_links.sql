{#- One row per eye check (latest version per (sender, 检查记录号), usable):
    the person it belongs to, and how it was linked or why it was not
    (indicators.md "Infants without an ID number", edge rules 9 and 17).

    1. a valid 儿童身份证号 wins over any linkage (child_id);
    2. else a valid 母亲身份证号 finds the candidates: birth records (latest
       version, usable) with the same mother's ID, birth date and sex; one
       candidate (birth_record), or among several the one whose 新生儿姓名
       equals the child's name exactly (birth_record_by_name); the chosen
       record must carry a valid 新生儿身份证号;
    3. never guess: otherwise the check stays unlinked with a reason. -#}

with

eye_checks as (

    select * from {{ ref('stg_eye_check__eye_checks') }}
    where is_latest_version and is_usable

),

births as (

    select * from {{ ref('stg_birth__birth_certificates') }}
    where is_latest_version and is_usable

),

checks as (

    select
        child_id_number,
        child_name,
        sex_code,
        birth_date,
        mother_id_number,
        _sender || ':' || check_no as eye_check_key,
        -- an optional ID that was delivered but is invalid counts as blank (edge rule 9)
        coalesce(';' || reason_codes || ';' like '%;bad_id:mother_id_number;%', false)
            as has_invalid_mother_id
    from eye_checks

),

candidates as (

    select
        checks.eye_check_key,
        births.birth_cert_no,
        births.newborn_id_number,
        births.newborn_name = checks.child_name as is_name_match
    from checks
    inner join births
        on
            checks.mother_id_number = births.mother_id_number
            and checks.birth_date = births.birth_date
            and checks.sex_code = births.sex_code
    where checks.child_id_number is null

),

candidate_counts as (

    select
        eye_check_key,
        count(*) as n_candidates,
        count(*) filter (where is_name_match) as n_name_matches,
        -- the one candidate, or the one name match among several
        case when count(*) = 1 then any_value(newborn_id_number) end as single_newborn_id,
        case when count(*) = 1 then count(*) filter (where newborn_id_number is null) = 0 end
            as single_has_id,
        case
            when count(*) filter (where is_name_match) = 1
                then max(newborn_id_number) filter (where is_name_match)
        end as name_match_newborn_id
    from candidates
    group by eye_check_key

),

resolved as (

    select
        checks.eye_check_key,
        case
            when checks.child_id_number is not null then checks.child_id_number
            when checks.mother_id_number is null then null
            when candidate_counts.n_candidates = 1 then candidate_counts.single_newborn_id
            when candidate_counts.n_candidates > 1 and candidate_counts.n_name_matches = 1
                then candidate_counts.name_match_newborn_id
        end as linked_id_number,
        case
            when checks.child_id_number is not null then 'child_id'
            when checks.mother_id_number is null then null
            when candidate_counts.n_candidates = 1 and candidate_counts.single_has_id then 'birth_record'
            when
                candidate_counts.n_candidates > 1
                and candidate_counts.n_name_matches = 1
                and candidate_counts.name_match_newborn_id is not null
                then 'birth_record_by_name'
        end as link_method,
        case
            when checks.child_id_number is not null then null
            when checks.mother_id_number is null and checks.has_invalid_mother_id then 'invalid_mother_id'
            when checks.mother_id_number is null then 'no_id'
            when candidate_counts.n_candidates is null then 'no_birth_record'
            when candidate_counts.n_candidates = 1 and not candidate_counts.single_has_id
                then 'birth_record_without_child_id'
            when candidate_counts.n_candidates = 1 then null
            when candidate_counts.n_name_matches <> 1 then 'ambiguous_birth_records'
            when candidate_counts.name_match_newborn_id is null then 'birth_record_without_child_id'
        end as unlinked_reason
    from checks
    left join candidate_counts
        on checks.eye_check_key = candidate_counts.eye_check_key

),

final as (

    select
        eye_check_key,
        {{ person_key('linked_id_number') }} as person_key,
        link_method,
        unlinked_reason
    from resolved

)

select * from final
