-- The committee at a glance for a year (or one month of it): branches, members, activities, average
-- participation, quorum failures, satisfaction, compliance and the branches at risk of three strikes.
-- Reads `activity_figures` (the whole year, for the strikes) and `branch_months` (the counted months),
-- registered by pipelines.metrics. $roster_date: members are counted on that day.
with scoped_branches as (
    select branch_id
    from branches
    where $branch_ids is null or list_contains(cast($branch_ids as integer[]), branch_id)
),

period as (
    select *
    from activity_figures
    where $month is null or activity_month = $month
),

roster as (
    select count(distinct m.member_id) as members
    from memberships as m
    inner join scoped_branches as b on b.branch_id = m.branch_id
    where m.superseded_by is null
        and m.start_date <= $roster_date and (m.end_date is null or m.end_date >= $roster_date)
),

strikes as (
    select branch_id, count(*) as strikes
    from activity_figures
    where low_satisfaction
    group by branch_id
),

activity_totals as (
    select
        count(distinct activity_id) as activities,
        count(*) as branch_activities,
        avg(participation) as participation,
        count(*) filter (where quorum_met) as quorum_met,
        count(*) filter (where not quorum_met) as quorum_failures,
        avg(satisfaction) as satisfaction,
        count(*) filter (where low_satisfaction) as low_satisfaction_events,
        count(*) filter (where violation_count > 0) as activities_with_violations
    from period
),

month_totals as (
    select
        count(*) as branch_months,
        count(*) filter (where held) as held_months,
        count(*) filter (where compliant) as compliant_months
    from branch_months
    where $month is null or activity_month = $month
),

final as (
    select
        (select count(*) from scoped_branches) as branches,
        r.members,
        a.activities,
        a.branch_activities,
        a.participation,
        case when a.quorum_met + a.quorum_failures > 0 then a.quorum_met / (a.quorum_met + a.quorum_failures) end
            as quorum_rate,
        a.quorum_failures,
        a.satisfaction,
        a.low_satisfaction_events,
        a.activities_with_violations,
        m.branch_months,
        m.held_months,
        m.branch_months - m.held_months as missed_months,
        case when m.branch_months > 0 then m.compliant_months / m.branch_months end as compliance,
        (select count(*) from strikes where strikes >= $strikes_limit) as branches_ineligible,
        (select count(*) from strikes where strikes = $strikes_limit - 1) as branches_at_risk
    from activity_totals as a
    cross join roster as r
    cross join month_totals as m
)

select * from final
