-- Three strikes (seed 004 §七): per branch and calendar year, the activities whose satisfaction was
-- below the threshold; at the limit or above the branch is not eligible for excellence selection.
-- Reads `activity_figures` for the year (registered by pipelines.metrics).
with low as (
    select *
    from activity_figures
    where low_satisfaction
),

per_branch as (
    select branch_id, count(*) as strikes
    from low
    group by branch_id
),

final as (
    select
        l.branch_id,
        l.branch,
        l.zone_id,
        l.zone,
        l.activity_id,
        l.month,
        l.date,
        l.topic,
        l.satisfaction,
        l.ballots,
        p.strikes,
        p.strikes as low_satisfaction_events,
        p.strikes < $strikes_limit as eligible
    from low as l
    inner join per_branch as p on p.branch_id = l.branch_id
)

select * from final order by eligible, strikes desc, zone_id, branch, month, activity_id
