-- Every dashboard account with its scope, state and last successful sign-in (never the hash).
with last_login as (
    select user_name, max(attempted_at) as last_login
    from login_attempts
    where success
    group by user_name
),

final as (
    select
        u.name,
        u.role,
        b.name as branch,
        z.name as zone,
        u.email,
        u.is_active as active,
        u.is_demo as demo,
        u.created_at,
        l.last_login
    from users as u
    left join branches as b on b.branch_id = u.branch_id
    left join zones as z on z.zone_id = coalesce(u.zone_id, b.zone_id)
    left join last_login as l on l.user_name = u.name
)

select * from final
order by name
