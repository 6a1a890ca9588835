-- The judgement of every activity and taking-part branch of `activity_counts` (out_activity_branch rows:
-- activity_counts.sql on read, refresh_judge_scope.sql when a refresh keeps it in out_activity_judged),
-- by the rules given. Ids only: activity_figures.sql adds the names. Every threshold is a bound
-- parameter from the rules configuration (pipelines.metrics.rule_params):
--   quorum met    present / expected >= quorum threshold (> when not inclusive), compared exactly in
--                 integer parts per million so that exactly 80% is 80% (in bigint: a committee's
--                 joint activity can count tens of thousands of votes, times a million overflows int);
--   satisfaction  (ratings counted as satisfied) / valid votes, on the overall item when the activity
--                 has one and the rules say so, else pooled over the four items;
--   strike        satisfaction below the threshold (exactly at it is not a strike).
with votes as (
    select
        *,
        $primary_item = 'overall' and ov_satisfied + ov_basic + ov_unsatisfied > 0 as on_overall,
        ov_satisfied + ov_basic + ov_unsatisfied + pl_satisfied + pl_basic + pl_unsatisfied > 0 as has_evaluation
    from activity_counts
),

rated as (
    select
        *,
        case when on_overall
            then (case when $count_satisfied then ov_satisfied else 0 end)
                + (case when $count_basic then ov_basic else 0 end)
            else (case when $count_satisfied then pl_satisfied else 0 end)
                + (case when $count_basic then pl_basic else 0 end)
        end as satisfied_votes,
        case when on_overall
            then ov_satisfied + ov_basic + ov_unsatisfied
            else pl_satisfied + pl_basic + pl_unsatisfied
        end as valid_votes,
        case when on_overall then ov_satisfied + ov_basic + ov_unsatisfied else item_ballots end as ballots
    from votes
),

judged as (
    select
        *,
        case when expected > 0 and present is not null then present / expected end as participation,
        case when expected > 0 and present is not null then
            case when $quorum_inclusive then present::bigint * 1000000 >= $quorum_ppm::bigint * expected
                else present::bigint * 1000000 > $quorum_ppm::bigint * expected end
        end as quorum_met,
        case when valid_votes > 0 then satisfied_votes / valid_votes end as satisfaction,
        valid_votes > 0 and satisfied_votes::bigint * 1000000 < $satisfaction_ppm::bigint * valid_votes as low_satisfaction
    from rated
),

checked as (
    select
        *,
        coalesce(not quorum_met, false) as v_quorum,
        coalesce(notice_days < $notice_min_days, false) as v_notice,
        coalesce(duration_hours * 1000000 < $half_day_ppm, false) as v_duration,
        coalesce(report_days > $report_max_days, false) as v_report_late,
        not has_record as v_no_record,
        not has_evaluation as v_no_evaluation
    from judged
),

final as (
    select
        activity_id,
        branch_id,
        year,
        activity_month,
        strftime(activity_month, '%Y-%m') as month,
        month(activity_month) as month_no,
        quarter(activity_month) as quarter,
        activity_date as date,
        topic,
        level,
        host_branch_id,
        roster,
        exempt,
        expected,
        present,
        excused,
        unexcused,
        made_up,
        others,
        guests,
        participation,
        quorum_met,
        satisfaction,
        ballots,
        satisfied_votes,
        valid_votes,
        low_satisfaction,
        has_sign_in,
        has_record,
        has_evaluation,
        is_open_day,
        notice_days,
        report_days,
        duration_hours,
        cast(v_duration as integer) + cast(v_no_evaluation as integer) + cast(v_no_record as integer)
            + cast(v_notice as integer) + cast(v_quorum as integer) + cast(v_report_late as integer) as violation_count,
        list_concat(
            case when v_duration then ['duration'] else [] end,
            case when v_no_evaluation then ['no_evaluation'] else [] end,
            case when v_no_record then ['no_record'] else [] end,
            case when v_notice then ['notice'] else [] end,
            case when v_quorum then ['quorum'] else [] end,
            case when v_report_late then ['report_late'] else [] end
        ) as violations,
        -- rows of this activity (a joint activity has one per taking-part branch): a count of
        -- activities needs a distinct count only over the rows of activities with more than one
        count(*) over (partition by activity_id) as parts
    from checked
)

select * from final
