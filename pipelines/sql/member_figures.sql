-- Each member's attendance within one branch and year, with the warnings of the rules
-- (unexcused absences in a row, or per year) and, for leading cadres, their attendance at the branches
-- they guide (cadre_guidance). Members appear while they were on the roster during the year.
with member_rows as (
    select y.*, m.name, m.birth_date, m.member_kind, m.is_leading_cadre
    from out_member_year as y
    inner join members as m on m.member_id = y.member_id
    where y.branch_id = $branch_id and y.year = $year
),

guided_activities as (
    select g.member_id, o.activity_id, o.branch_id
    from cadre_guidance as g
    inner join member_rows as r on r.member_id = g.member_id
    inner join out_activity_branch as o on o.branch_id = g.branch_id and o.year = $year
),

guided as (
    select
        ga.member_id,
        count(distinct ga.branch_id) as guided_branches,
        count(distinct ga.activity_id) as guided_activities,
        count(distinct a.activity_id) filter (where a.status = 'present') as guided_present
    from guided_activities as ga
    left join attendance as a
        on a.activity_id = ga.activity_id and a.member_id = ga.member_id and a.superseded_by is null
    group by ga.member_id
),

current_roster as (
    select distinct member_id
    from memberships
    where branch_id = $branch_id and superseded_by is null
        and start_date <= make_date($year, 12, 31) and (end_date is null or end_date >= make_date($year, 12, 31))
),

final as (
    select
        r.member_id,
        r.name,
        r.birth_date,  -- tells apart two members of the same name
        r.member_kind,
        r.is_leading_cadre,
        cr.member_id is not null as on_roster_at_year_end,
        r.expected,
        r.present,
        r.excused,
        r.unexcused,
        r.made_up,
        r.exempt,
        case when r.expected > 0 then r.present / r.expected end as participation,
        r.max_unexcused_run,
        r.last_unexcused_run,
        r.max_unexcused_run >= $unexcused_in_a_row as warning_in_a_row,
        r.unexcused >= $unexcused_per_year as warning_per_year,
        r.max_unexcused_run >= $unexcused_in_a_row or r.unexcused >= $unexcused_per_year as warning,
        coalesce(g.guided_branches, 0) as guided_branches,
        coalesce(g.guided_activities, 0) as guided_activities,
        coalesce(g.guided_present, 0) as guided_present
    from member_rows as r
    left join guided as g on g.member_id = r.member_id
    left join current_roster as cr on cr.member_id = r.member_id
)

select * from final order by warning desc, unexcused desc, name, member_id
