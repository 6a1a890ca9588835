-- Compliance per branch and month: was a theme Party day held, and which rules did the month's
-- activities break. The months listed are $months: January to the last complete month (all twelve for a
-- past year) and the month in progress ($in_progress, null when the year asked is not this year), which
-- is never missed and, while nothing is held in it, not judged (compliant null). Reads `judged_activity_branch` (the judged
-- activities of the year, without names) and `scoped_branches`, composed in by pipelines.metrics.
with months as (
    select unnest(cast($months as date[])) as activity_month
),

held as (
    select
        branch_id,
        activity_month,
        count(*) as activities,  -- one row per activity and branch
        count(*) filter (where violation_count > 0) as violating,
        -- one flag per rule rather than gathering lists: a list aggregate over a province's year costs
        -- far more than six boolean ones
        bool_or(list_contains(violations, 'duration')) as v_duration,
        bool_or(list_contains(violations, 'no_evaluation')) as v_no_evaluation,
        bool_or(list_contains(violations, 'no_record')) as v_no_record,
        bool_or(list_contains(violations, 'notice')) as v_notice,
        bool_or(list_contains(violations, 'quorum')) as v_quorum,
        bool_or(list_contains(violations, 'report_late')) as v_report_late
    from judged_activity_branch
    group by branch_id, activity_month
),

broken as (
    select
        branch_id,
        activity_month,
        activities,
        violating,
        list_concat(  -- in the sorted order of the codes
            case when v_duration then ['duration'] else [] end,
            case when v_no_evaluation then ['no_evaluation'] else [] end,
            case when v_no_record then ['no_record'] else [] end,
            case when v_notice then ['notice'] else [] end,
            case when v_quorum then ['quorum'] else [] end,
            case when v_report_late then ['report_late'] else [] end
        ) as violations
    from held
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
        case when m.activity_month is not distinct from $in_progress then 'in_progress' else 'ended' end as status,
        coalesce(h.activities, 0) > 0 as held,
        coalesce(h.activities, 0) = 0 and m.activity_month is distinct from $in_progress as missed,
        coalesce(h.activities, 0) as activities,
        coalesce(h.violations, []) as violations,
        case
            when coalesce(h.activities, 0) > 0 then coalesce(h.violating, 0) = 0
            when m.activity_month is not distinct from $in_progress then null
            else false
        end as compliant
    from scoped_branches as b
    cross join months as m
    left join broken as h on h.branch_id = b.branch_id and h.activity_month = m.activity_month
)

select * from final
