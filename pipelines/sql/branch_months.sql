-- Compliance per branch and month: was a theme Party day held, and which rules did the month's
-- activities break. Only the months counted for the year asked are listed ($months: January to the last
-- complete month; all twelve for a past year). Reads `judged_activity_branch` (the judged
-- activities of the year, without names; composed in by pipelines.metrics).
with months as (
    select unnest(cast($months as date[])) as activity_month
),

scoped_branches as (
    select b.branch_id, b.name as branch, b.zone_id, z.name as zone
    from branches as b
    left join zones as z on z.zone_id = b.zone_id
    where ($branch_ids is null or list_contains(cast($branch_ids as integer[]), b.branch_id))
        and ($branch is null or b.name = $branch)
),

held as (
    select
        branch_id,
        activity_month,
        count(*) as activities,  -- one row per activity and branch
        count(*) filter (where violation_count > 0) as violating,
        -- most activities break no rule: only their lists are gathered
        list_sort(list_distinct(flatten(list(violations) filter (where violation_count > 0)))) as violations
    from judged_activity_branch
    group by branch_id, activity_month
),

final as (
    select
        b.branch_id,
        b.branch,
        b.zone_id,
        b.zone,
        m.activity_month,
        strftime(m.activity_month, '%Y-%m') as month,
        quarter(m.activity_month) as quarter,
        coalesce(h.activities, 0) > 0 as held,
        coalesce(h.activities, 0) as activities,
        coalesce(h.violations, []) as violations,
        coalesce(h.activities, 0) > 0 and coalesce(h.violating, 0) = 0 as compliant
    from scoped_branches as b
    cross join months as m
    left join held as h on h.branch_id = b.branch_id and h.activity_month = m.activity_month
)

select * from final
