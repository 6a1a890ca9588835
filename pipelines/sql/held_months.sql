-- The counted months ($months: January to the last complete month of the year asked) in which each
-- branch held a theme Party day, and whether that month's activities broke no rule: what the ranking,
-- the zone figures and the overview count. A month without a row was not held; the number of months due
-- is the number of branches times the counted months, so no branch × month grid is built for counting
-- (branch_months.sql builds it for the compliance calendar). Reads `judged_activity_branch` (composed
-- in by pipelines.metrics).
with final as (
    select
        branch_id,
        activity_month,
        quarter(activity_month) as quarter,
        bool_and(violation_count = 0) as compliant
    from judged_activity_branch
    where list_contains(cast($months as date[]), activity_month)
    group by branch_id, activity_month
)

select * from final
