-- The audit log, newest first, optionally cut to one actor and one kind of action (prefix, e.g. 'login').
with final as (
    select
        audit_id,
        logged_at,
        actor,
        action,
        target,
        cast(detail as varchar) as detail
    from audit_log
    where ($actor is null or actor = $actor)
      and ($action is null or action like $action || '%')
      and ($since is null or logged_at >= $since)
)

select * from final
order by audit_id desc
limit $limit
