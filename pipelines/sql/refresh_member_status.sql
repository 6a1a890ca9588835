-- Every member expected at every (activity, taking-part branch) of the refreshed years, with a status.
-- Reads `refresh_pairs` (refresh_scope.sql, registered by pipelines.refresh or, for one activity, by
-- the activity detail); pipelines.refresh keeps the result in a temporary table for the out_ models.
--
-- Conventions (DOMAIN.md "Attendance"):
--   * The roster is taken on the reference date: the activity date, or the LAST DAY OF THE MONTH when
--     the source gives only the month (a member who joined during that month counts, one who left
--     during it does not).
--   * A joint activity counts for every taking-part branch (activity_branches, plus the host) against
--     that branch's own roster.
--   * An exemption covering the reference date takes the member out of the expected count (status
--     'exempt', shown apart), even when they came.
--   * When the branch has a sign-in for the activity, a roster member without an attendance row is
--     UNEXCUSED: a sign-in sheet lists the roster, and leave must be filed in writing to count as
--     excused. Without any sign-in for the branch the status is unknown (null) and nothing is counted.
--   * Several live rows for one member and activity: the best status wins (present, excused, unexcused).
with pairs as (
    select activity_id, branch_id, year, ref_date
    from refresh_pairs
),

scope_activities as (
    select distinct activity_id
    from pairs
),

roster as (
    select distinct p.activity_id, p.branch_id, p.year, p.ref_date, m.member_id
    from pairs as p
    inner join memberships as m
        on m.branch_id = p.branch_id
        and m.superseded_by is null
        and m.start_date <= p.ref_date
        and (m.end_date is null or m.end_date >= p.ref_date)
),

exempt as (
    select distinct r.activity_id, r.member_id
    from roster as r
    inner join exemptions as e
        on e.member_id = r.member_id
        and e.superseded_by is null
        and e.start_date <= r.ref_date
        and (e.end_date is null or e.end_date >= r.ref_date)
),

live_attendance as (
    select a.activity_id, a.member_id, a.branch_id, a.status, a.made_up
    from attendance as a
    inner join scope_activities as s on s.activity_id = a.activity_id
    where a.superseded_by is null
),

marks as (
    select
        activity_id,
        member_id,
        min(case status when 'present' then 1 when 'excused' then 2 else 3 end) as status_rank,
        bool_or(made_up) as made_up
    from live_attendance
    group by activity_id, member_id
),

sign_ins as (
    select distinct activity_id, branch_id from live_attendance
    union
    select r.activity_id, r.branch_id
    from roster as r
    inner join marks as k on k.activity_id = r.activity_id and k.member_id = r.member_id
),

final as (
    select
        r.activity_id,
        r.branch_id,
        r.year,
        r.ref_date,
        r.member_id,
        si.activity_id is not null as has_sign_in,
        case
            when e.member_id is not null then 'exempt'
            when si.activity_id is null then null
            when k.status_rank = 1 then 'present'
            when k.status_rank = 2 then 'excused'
            else 'unexcused'
        end as status,
        coalesce(k.made_up, false) and e.member_id is null as made_up
    from roster as r
    left join exempt as e on e.activity_id = r.activity_id and e.member_id = r.member_id
    left join marks as k on k.activity_id = r.activity_id and k.member_id = r.member_id
    left join sign_ins as si on si.activity_id = r.activity_id and si.branch_id = r.branch_id
)

select * from final
