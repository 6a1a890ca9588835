-- How many activity rows of the year (one per activity and taking-part branch) each month has, judged,
-- failed, rated, struck and broken, rule by rule: the counts the quorum, satisfaction and compliance
-- pages show above their lists, without listing every row. One row per month with activities. Reads
-- `judged_activity_branch` (composed in by pipelines.metrics).
with final as (
    select
        month,
        count(*) as rows,
        count(*) filter (where quorum_met is not null) as quorum_judged,
        count(*) filter (where not quorum_met) as quorum_failed,
        count(*) filter (where satisfaction is not null) as rated,
        count(*) filter (where low_satisfaction) as low_satisfaction,
        count(*) filter (where violation_count > 0) as violating,
        count(*) filter (where list_contains(violations, 'duration')) as duration,
        count(*) filter (where list_contains(violations, 'no_evaluation')) as no_evaluation,
        count(*) filter (where list_contains(violations, 'no_record')) as no_record,
        count(*) filter (where list_contains(violations, 'notice')) as notice,
        count(*) filter (where list_contains(violations, 'quorum')) as quorum,
        count(*) filter (where list_contains(violations, 'report_late')) as report_late
    from judged_activity_branch
    group by month
)

select * from final
