-- The committee at a glance, for the year and for each of its months in one pass: branches, members,
-- activities, average participation, quorum failures, satisfaction, compliance and the branches at risk
-- of three strikes. One row per month of $periods (first days of months) and one for the whole year
-- (activity_month null). Members are counted on the last day of the period, or $today if earlier.
-- status: `ended` (a counted month, $months), `in_progress` ($in_progress: this month, not yet due, never
-- missed) or `to_come`; the year is in progress while one of its months is.
-- Reads `judged_activity_branch` (the whole year, for the strikes) and `held_months` (the counted months),
-- composed in by pipelines.metrics.
with scoped_branches as (
    select branch_id
    from branches
    where $branch_ids is null or list_contains(cast($branch_ids as integer[]), branch_id)
),

periods as (
    select activity_month, least(last_day(activity_month), $today) as roster_date
    from (select unnest(cast($periods as date[])) as activity_month) as months
    union all
    select cast(null as date) as activity_month, least(make_date($year, 12, 31), $today) as roster_date
),

live_memberships as (
    -- a member holds one membership at a time (a transfer ends the old one), so memberships are counted
    select m.start_date, coalesce(m.end_date, date '9999-12-31') as end_date
    from memberships as m
    inner join scoped_branches as b on b.branch_id = m.branch_id
    where m.superseded_by is null
),

starts as (
    select start_date as day, count(*) as memberships
    from live_memberships
    group by start_date
),

ends as (
    select end_date as day, count(*) as memberships
    from live_memberships
    group by end_date
),

roster as (
    -- on the roster on a date: begun on or before it less ended before it (a few thousand distinct
    -- dates per period, rather than every membership of a province compared with every period)
    select
        p.activity_month,
        cast((select coalesce(sum(s.memberships), 0) from starts as s where s.day <= p.roster_date)
            - (select coalesce(sum(e.memberships), 0) from ends as e where e.day < p.roster_date) as bigint)
            as members
    from periods as p
),

strikes as (
    select branch_id, count(*) as strikes
    from judged_activity_branch
    where low_satisfaction
    group by branch_id
),

joint_months as (
    -- joint activities (several rows, parts > 1) counted once: the distinct count runs over them only
    select activity_month, count(distinct activity_id) as activities
    from judged_activity_branch
    where parts > 1
    group by activity_month
),

single_months as (
    -- an activity belongs to one month, so the year's activities are the months' sum
    select
        activity_month,
        count(*) filter (where parts = 1) as single_activities,  -- one row each
        count(*) as branch_activities,
        -- rates summed as decimals: exact, so the figure does not depend on the order rows are stored in
        sum(cast(participation as decimal(18, 15))) as participation_sum,
        count(participation) as participation_n,
        count(*) filter (where quorum_met) as quorum_met,
        count(*) filter (where not quorum_met) as quorum_failures,
        sum(cast(satisfaction as decimal(18, 15))) as satisfaction_sum,
        count(satisfaction) as satisfaction_n,
        count(*) filter (where low_satisfaction) as low_satisfaction_events,
        count(*) filter (where violation_count > 0) as activities_with_violations
    from judged_activity_branch
    group by activity_month
),

month_sums as (
    select s.*, s.single_activities + coalesce(j.activities, 0) as activities
    from single_months as s
    left join joint_months as j on j.activity_month = s.activity_month
),

activity_totals as (
    select
        activity_month,
        cast(sum(activities) as bigint) as activities,
        cast(sum(branch_activities) as bigint) as branch_activities,
        sum(participation_sum) / nullif(sum(participation_n), 0) as participation,
        cast(sum(quorum_met) as bigint) as quorum_met,
        cast(sum(quorum_failures) as bigint) as quorum_failures,
        sum(satisfaction_sum) / nullif(sum(satisfaction_n), 0) as satisfaction,
        cast(sum(low_satisfaction_events) as bigint) as low_satisfaction_events,
        cast(sum(activities_with_violations) as bigint) as activities_with_violations
    from month_sums
    group by grouping sets ((activity_month), ())
),

held_totals as (
    select
        h.activity_month,
        count(*) as held_months,
        count(*) filter (where h.compliant) as compliant_months
    from held_months as h
    inner join scoped_branches as b on b.branch_id = h.branch_id
    group by grouping sets ((h.activity_month), ())
),

month_totals as (
    -- every scoped branch is due once in each counted month
    select
        c.activity_month,
        c.due * (select count(*) from scoped_branches) as branch_months,
        coalesce(h.held_months, 0) as held_months,
        coalesce(h.compliant_months, 0) as compliant_months
    from (
        select activity_month, count(*) as due
        from (select unnest(cast($months as date[])) as activity_month) as counted
        group by grouping sets ((activity_month), ())
    ) as c
    left join held_totals as h on h.activity_month is not distinct from c.activity_month
),

final as (
    select
        p.activity_month,
        strftime(p.activity_month, '%Y-%m') as month,
        case
            when p.activity_month is null and $in_progress is not null then 'in_progress'
            when p.activity_month is null then (case when len($months) = 12 then 'ended' else 'to_come' end)
            when p.activity_month = $in_progress then 'in_progress'
            when list_contains(cast($months as date[]), p.activity_month) then 'ended'
            else 'to_come'
        end as status,
        (select count(*) from scoped_branches) as branches,
        coalesce(r.members, 0) as members,
        coalesce(a.activities, 0) as activities,
        coalesce(a.branch_activities, 0) as branch_activities,
        a.participation,
        case when a.quorum_met + a.quorum_failures > 0 then a.quorum_met / (a.quorum_met + a.quorum_failures) end
            as quorum_rate,
        coalesce(a.quorum_failures, 0) as quorum_failures,
        a.satisfaction,
        coalesce(a.low_satisfaction_events, 0) as low_satisfaction_events,
        coalesce(a.activities_with_violations, 0) as activities_with_violations,
        coalesce(m.branch_months, 0) as branch_months,
        coalesce(m.held_months, 0) as held_months,
        coalesce(m.compliant_months, 0) as compliant_months,
        coalesce(m.branch_months, 0) - coalesce(m.held_months, 0) as missed_months,
        case when m.branch_months > 0 then m.compliant_months / m.branch_months end as compliance,
        (select count(*) from strikes where strikes >= $strikes_limit) as branches_ineligible,
        (select count(*) from strikes where strikes = $strikes_limit - 1) as branches_at_risk
    from periods as p
    left join roster as r on r.activity_month is not distinct from p.activity_month
    left join activity_totals as a on a.activity_month is not distinct from p.activity_month
    left join month_totals as m on m.activity_month is not distinct from p.activity_month
)

select * from final order by activity_month nulls first
