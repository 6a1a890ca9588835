-- The figures per collaboration zone and quarter, with that quarter's leader and deputy units
-- (zone_quarter_roles). Reads `judged_activity_branch` (the year) and `held_months` (its counted
-- months), composed in by pipelines.metrics. Every zone appears with all four quarters.
with zone_list as (
    select zone_id, name as zone, sort_order
    from zones
),

quarters as (
    select unnest([1, 2, 3, 4]) as quarter
),

zone_branches as (
    select zone_id, count(*) as branches
    from branches
    group by zone_id
),

joint_activities as (
    -- a joint activity (several rows, parts > 1) counted once per zone; the few such rows apart, so the
    -- distinct count runs over them only
    select b.zone_id, j.quarter, count(distinct j.activity_id) as activities
    from judged_activity_branch as j
    inner join branches as b on b.branch_id = j.branch_id
    where j.parts > 1
    group by b.zone_id, j.quarter
),

activity_rates as (
    select
        zone_id,
        quarter,
        count(*) filter (where parts = 1) as single_activities,  -- one row each
        count(*) as branch_activities,
        -- rates summed as decimals: exact, so the figure does not depend on the order rows are stored in
        avg(cast(participation as decimal(18, 15))) as participation,
        count(*) filter (where quorum_met) as quorum_met,
        count(*) filter (where not quorum_met) as quorum_failed,
        avg(cast(satisfaction as decimal(18, 15))) as satisfaction,
        count(*) filter (where low_satisfaction) as low_satisfaction_events,
        count(*) filter (where is_open_day) as open_days
    from judged_activity_branch
    inner join branches using (branch_id)
    group by zone_id, quarter
),

counted_quarters as (
    select quarter(activity_month) as quarter, count(*) as due
    from (select unnest(cast($months as date[])) as activity_month) as counted
    group by quarter(activity_month)
),

held_rates as (
    select
        b.zone_id,
        h.quarter,
        count(*) as held_months,
        count(*) filter (where h.compliant) as compliant_months
    from held_months as h
    inner join branches as b on b.branch_id = h.branch_id
    group by b.zone_id, h.quarter
),

month_rates as (
    -- every branch of the zone is due once in each counted month of the quarter
    select
        zb.zone_id,
        c.quarter,
        zb.branches * c.due as branch_months,
        coalesce(h.held_months, 0) as held_months,
        coalesce(h.compliant_months, 0) as compliant_months
    from zone_branches as zb
    cross join counted_quarters as c
    left join held_rates as h on h.zone_id = zb.zone_id and h.quarter = c.quarter
),

roles as (
    select r.zone_id, r.quarter, l.name as leader, d.name as deputy
    from zone_quarter_roles as r
    left join branches as l on l.branch_id = r.leader_branch_id
    left join branches as d on d.branch_id = r.deputy_branch_id
    where r.year = $year
),

final as (
    select
        z.zone_id,
        z.zone,
        z.sort_order as zone_order,
        q.quarter,
        ro.leader,
        ro.deputy,
        coalesce(zb.branches, 0) as branches,
        coalesce(a.single_activities, 0) + coalesce(ja.activities, 0) as activities,
        a.participation,
        case when a.quorum_met + a.quorum_failed > 0 then a.quorum_met / (a.quorum_met + a.quorum_failed) end
            as quorum_rate,
        coalesce(a.quorum_failed, 0) as quorum_failures,
        a.satisfaction,
        coalesce(a.low_satisfaction_events, 0) as low_satisfaction_events,
        coalesce(a.open_days, 0) as open_days,
        coalesce(m.branch_months, 0) as branch_months,
        coalesce(m.held_months, 0) as held_months,
        case when m.branch_months > 0 then m.compliant_months / m.branch_months end as compliance
    from zone_list as z
    cross join quarters as q
    left join zone_branches as zb on zb.zone_id = z.zone_id
    left join activity_rates as a on a.zone_id = z.zone_id and a.quarter = q.quarter
    left join joint_activities as ja on ja.zone_id = z.zone_id and ja.quarter = q.quarter
    left join month_rates as m on m.zone_id = z.zone_id and m.quarter = q.quarter
    left join roles as ro on ro.zone_id = z.zone_id and ro.quarter = q.quarter
)

select * from final order by zone_order, zone_id, quarter
