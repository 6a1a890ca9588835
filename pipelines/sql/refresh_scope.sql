-- What a refresh recomputes: one row per activity and taking-part branch (the host and every branch of a
-- joint activity) of the years asked. With $branch_ids, only the activities those branches take part
-- in, widened once to the partner branches of their joint activities and to the other branches their
-- members belong or belonged to (so every branch whose figures the change can touch is recomputed
-- whole: in_branch_scope). $activity_ids narrows to those activities (the activity detail).
with all_taking_part as (
    select activity_id, branch_id from activity_branches
    union all
    select activity_id, host_branch_id as branch_id from activities where host_branch_id is not null
),

touched_activities as (
    select distinct activity_id
    from all_taking_part
    where list_contains(cast($branch_ids as integer[]), branch_id)
),

member_branches as (
    -- the other branches of their members, past or present (a transfer changes both rosters)
    select distinct other.branch_id
    from memberships as own
    inner join memberships as other on other.member_id = own.member_id
    where list_contains(cast($branch_ids as integer[]), own.branch_id)
),

scope_branches as (
    select distinct branch_id
    from all_taking_part
    where activity_id in (select activity_id from touched_activities)
    union
    select branch_id from member_branches
    union
    select unnest(cast($branch_ids as integer[])) as branch_id
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
        and ($activity_ids is null or activity_id in (select unnest(cast($activity_ids as integer[]))))
        and ($branch_ids is null or activity_id in (
            select activity_id from all_taking_part where branch_id in (select branch_id from scope_branches)
        ))
),

taking_part as (
    select distinct t.activity_id, t.branch_id
    from all_taking_part as t
    inner join year_activities as y on y.activity_id = t.activity_id
),

final as (
    select
        y.*,
        t.branch_id,
        $branch_ids is null or t.branch_id in (select branch_id from scope_branches) as in_branch_scope
    from year_activities as y
    inner join taking_part as t on t.activity_id = y.activity_id
)

select * from final order by year, branch_id, activity_id
