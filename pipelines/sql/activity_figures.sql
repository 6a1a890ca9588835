-- The figures of every activity and taking-part branch, judged by the rules in force, with the names of
-- the branch, its zone and the host. Reads `judged_activity_branch` (composed in by pipelines.metrics:
-- judged_activity_branch.sql over the counts, or the same judgement kept by the last refresh,
-- judged_stored.sql, when it was made under the same rules). Names are joined here, on read, so a
-- renamed branch or a new zone division never leaves a stale name in a kept judgement.
with final as (
    select
        j.activity_id,
        j.branch_id,
        b.name as branch,
        b.zone_id,
        z.name as zone,
        j.year,
        j.activity_month,
        j.month,
        j.month_no,
        j.quarter,
        j.date,
        j.topic,
        j.level,
        j.host_branch_id,
        h.name as host_branch,
        j.roster,
        j.exempt,
        j.expected,
        j.present,
        j.excused,
        j.unexcused,
        j.made_up,
        j.others,
        j.guests,
        j.participation,
        j.quorum_met,
        j.satisfaction,
        j.ballots,
        j.satisfied_votes,
        j.valid_votes,
        j.low_satisfaction,
        j.has_sign_in,
        j.has_record,
        j.has_evaluation,
        j.is_open_day,
        j.notice_days,
        j.report_days,
        j.duration_hours,
        j.violation_count,
        j.violations
    from judged_activity_branch as j
    inner join branches as b on b.branch_id = j.branch_id
    left join zones as z on z.zone_id = b.zone_id
    left join branches as h on h.branch_id = j.host_branch_id
)

select * from final
