-- What a refresh recomputes: one row per activity and taking-part branch (the host and every branch of a
-- joint activity) of the years asked. With $branch_ids, only the activities those branches take part
-- in, widened once to the partner branches of their joint activities (so every branch whose figures the
-- change can touch is recomputed whole: in_branch_scope). $activity_id narrows to one activity (the
-- activity detail).
with taking_part as (
    select activity_id, branch_id
    from activity_branches
    where $activity_id is null or activity_id = $activity_id
    union
    select activity_id, host_branch_id as branch_id
    from activities
    where host_branch_id is not null and ($activity_id is null or activity_id = $activity_id)
),

year_activities as (
    select
        activity_id,
        year(activity_month) as year,
        activity_month,
        activity_date,
        coalesce(activity_date, last_day(activity_month)) as ref_date,
        topic,
        level,
        host_branch_id
    from activities
    where list_contains($years, year(activity_month))
        and ($activity_id is null or activity_id = $activity_id)
),

touched_activities as (
    select distinct t.activity_id
    from taking_part as t
    inner join year_activities as y on y.activity_id = t.activity_id
    where list_contains(cast($branch_ids as integer[]), t.branch_id)
),

scope_branches as (
    select distinct t.branch_id
    from taking_part as t
    inner join touched_activities as a on a.activity_id = t.activity_id
    union
    select unnest(cast($branch_ids as integer[])) as branch_id
),

scope_activities as (
    select distinct t.activity_id
    from taking_part as t
    inner join year_activities as y on y.activity_id = t.activity_id
    where $branch_ids is null or t.branch_id in (select branch_id from scope_branches)
),

final as (
    select
        y.*,
        t.branch_id,
        $branch_ids is null or t.branch_id in (select branch_id from scope_branches) as in_branch_scope
    from year_activities as y
    inner join scope_activities as s on s.activity_id = y.activity_id
    inner join taking_part as t on t.activity_id = y.activity_id
)

select * from final order by year, branch_id, activity_id
