-- Everyone at every activity of the refresh scope, one row per activity and member: each member on the
-- roster of a taking-part branch, with a status, and each member who came but is on none of those
-- rosters (branch_id null: listed, never counted). Reads `refresh_pairs` (refresh_scope.sql, registered
-- by pipelines.refresh, or composed in as a CTE by the activity detail); pipelines.refresh keeps the result
-- in a temporary table for the out_ models.
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
-- Roster rows and attendance rows are gathered in one pass (union all, grouped by activity and member):
-- at province scale this is the heaviest step of a refresh.
with pairs as (
    select activity_id, branch_id, year, ref_date
    from refresh_pairs
),

scope_activities as (
    select distinct activity_id, year, ref_date
    from pairs
),

roster as (
    select p.activity_id, p.branch_id, p.year, p.ref_date, m.member_id
    from pairs as p
    inner join memberships as m
        on m.branch_id = p.branch_id
        and m.superseded_by is null
        and m.start_date <= p.ref_date
        and (m.end_date is null or m.end_date >= p.ref_date)
),

people as (
    select
        activity_id,
        member_id,
        branch_id as roster_branch_id,
        cast(null as integer) as sheet_branch_id,
        cast(null as integer) as status_rank,
        false as made_up
    from roster
    union all
    select
        a.activity_id,
        a.member_id,
        cast(null as integer) as roster_branch_id,
        a.branch_id as sheet_branch_id,
        case a.status when 'present' then 1 when 'excused' then 2 else 3 end as status_rank,
        a.made_up
    from attendance as a
    inner join scope_activities as s on s.activity_id = a.activity_id
    where a.superseded_by is null
),

per_member as (
    select
        p.activity_id,
        p.member_id,
        min(p.roster_branch_id) as branch_id,
        min(p.sheet_branch_id) as sheet_branch_id,
        min(p.status_rank) as status_rank,
        bool_or(p.made_up) as made_up
    from people as p
    group by p.activity_id, p.member_id
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

sign_ins as (
    -- a branch has a sign-in when one of its roster members, or someone on its own sheet who is on no
    -- taking-part roster, has an attendance row
    select distinct activity_id, coalesce(branch_id, sheet_branch_id) as branch_id
    from per_member
    where status_rank is not null
),

final as (
    select
        pm.activity_id,
        pm.branch_id,
        pm.sheet_branch_id,
        s.year,
        s.ref_date,
        pm.member_id,
        si.activity_id is not null as has_sign_in,
        case
            when pm.branch_id is not null and e.member_id is not null then 'exempt'
            when si.activity_id is null then null
            when pm.status_rank = 1 then 'present'
            when pm.status_rank = 2 then 'excused'
            else 'unexcused'
        end as status,
        coalesce(pm.made_up, false) and e.member_id is null as made_up
    from per_member as pm
    inner join scope_activities as s on s.activity_id = pm.activity_id
    left join exempt as e on e.activity_id = pm.activity_id and e.member_id = pm.member_id
    left join sign_ins as si on si.activity_id = pm.activity_id and si.branch_id = coalesce(pm.branch_id, pm.sheet_branch_id)
)

select * from final
