-- The ranking of every branch of the committee for a year or a quarter.
-- Reads `judged_activity_branch` (the whole calendar year, for the three strikes) and `held_months` (the
-- counted months of the period, $months), both composed in by pipelines.metrics.
--   participation  mean of the activities' participation in the period (rates, not counts)
--   satisfaction   mean of the activities' satisfaction rates in the period
--   compliance     share of the counted months held with no violation
--   score          100 * (weighted sum; a missing rate counts 0) + the open-day bonus, at most 100
-- A branch with fewer activities than the minimum is marked as too little data. The ranks (ties share
-- a rank, 1, 2, 2, 4, on the score rounded to two places; none for too little data; ineligible branches
-- keep theirs) are given by pipelines.metrics.ranking: a window over a province's branches costs more in
-- SQL than the whole rest of this model.
with branch_list as (
    select b.branch_id, b.name as branch, b.zone_id, z.name as zone
    from branches as b
    left join zones as z on z.zone_id = b.zone_id
),

period_activities as (
    select *
    from judged_activity_branch
    where activity_month between $month_from and $month_to
),

activity_rates as (
    select
        branch_id,
        count(*) as activities,  -- one row per activity and branch
        -- rates summed as decimals: exact, so the figure does not depend on the order rows are stored in
        -- and the mean as a double, as DuckDB gives it (Spark would keep a decimal)
        cast(avg(cast(participation as decimal(18, 15))) as double) as participation,
        cast(avg(cast(satisfaction as decimal(18, 15))) as double) as satisfaction,
        bool_or(is_open_day) as open_day
    from period_activities
    group by branch_id
),

month_rates as (
    select
        branch_id,
        count(*) filter (where compliant) as compliant_months,
        count(*) as held_months
    from held_months
    group by branch_id
),

strikes as (
    select branch_id, count(*) as low_satisfaction_events
    from judged_activity_branch
    where low_satisfaction
    group by branch_id
),

scored as (
    select
        b.*,
        coalesce(a.activities, 0) as activities,
        a.participation,
        a.satisfaction,
        -- array_length of a typed list, not len(): Spark reads len() as the length of a string
        case when array_length(cast($months as date[])) > 0
            then coalesce(m.compliant_months, 0) / array_length(cast($months as date[])) end as compliance,
        array_length(cast($months as date[])) as months,
        coalesce(m.compliant_months, 0) as compliant_months,
        coalesce(m.held_months, 0) as held_months,
        coalesce(a.open_day, false) as open_day,
        case when coalesce(a.open_day, false) then $open_day_bonus else 0.0 end as open_day_bonus,
        coalesce(s.low_satisfaction_events, 0) as low_satisfaction_events,
        coalesce(s.low_satisfaction_events, 0) < $strikes_limit as eligible,
        coalesce(a.activities, 0) < $min_activities as too_little_data
    from branch_list as b
    left join activity_rates as a on a.branch_id = b.branch_id
    left join month_rates as m on m.branch_id = b.branch_id
    left join strikes as s on s.branch_id = b.branch_id
),

points as (
    select
        *,
        round(least(100.0,
            100.0 * ($weight_participation * coalesce(participation, 0.0)
                + $weight_satisfaction * coalesce(satisfaction, 0.0)
                + $weight_compliance * coalesce(compliance, 0.0))
            + open_day_bonus), 2) as score
    from scored
),

final as (
    select *
    from points
)

select * from final
