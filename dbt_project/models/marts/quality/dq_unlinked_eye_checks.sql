{#- One row per eye check (latest version, usable) that could not be linked
    to a person (edge rules 9, 17): who sent it, its record number and date,
    and why. No ID number or name: the sender finds the row by check_no. -#}

with

links as (

    select * from {{ ref('identity_eye_check_links') }}
    where person_key is null

),

checks as (

    select * from {{ ref('fct_eye_checks') }}

),

final as (

    select
        checks.eye_check_key,
        checks.institution_code,
        checks.check_no,
        checks.check_date,
        links.unlinked_reason
    from links
    inner join checks
        on links.eye_check_key = checks.eye_check_key

)

select * from final
