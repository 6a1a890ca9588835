-- out_activity_branch for the refreshed years: one row per activity and taking-part branch, counts only
-- (see migrations/0004_derived.sql).
-- Reads `refresh_pairs` (refresh_scope.sql) and the temporary member_status table, built by pipelines.refresh.
with pairs as (
    select *
    from refresh_pairs
),

scope_activities as (
    select distinct activity_id
    from pairs
),

counts as (
    select
        activity_id,
        branch_id,
        count(*) as roster,
        count(*) filter (where status = 'exempt') as exempt,
        count(*) filter (where status = 'present') as present,
        count(*) filter (where status = 'excused') as excused,
        count(*) filter (where status = 'unexcused') as unexcused,
        count(*) filter (where made_up) as made_up
    from member_status
    where branch_id is not null
    group by activity_id, branch_id
),

branch_sign_ins as (
    select distinct activity_id, coalesce(branch_id, sheet_branch_id) as branch_id
    from member_status
    where has_sign_in
),

others as (
    select activity_id, count(*) as others
    from member_status
    where branch_id is null
    group by activity_id
),

guests as (
    select g.activity_id, count(*) as guests
    from guest_attendance as g
    inner join scope_activities as s on s.activity_id = g.activity_id
    where g.superseded_by is null
    group by g.activity_id
),

records as (
    select
        r.activity_id,
        r.is_open_day,
        r.notice_date,
        r.report_date,
        coalesce(
            r.duration_hours,
            case when r.start_time is not null and r.end_time is not null and r.end_time > r.start_time
                then date_diff('minute', r.start_time, r.end_time) / 60.0 end
        ) as duration_hours,
        row_number() over (partition by r.activity_id order by r.record_id desc) as newest
    from activity_records as r
    inner join scope_activities as s on s.activity_id = r.activity_id
    where r.superseded_by is null
),

items as (
    select
        activity_id,
        sum(satisfied) filter (where item = 'overall') as ov_satisfied,
        sum(basic) filter (where item = 'overall') as ov_basic,
        sum(unsatisfied) filter (where item = 'overall') as ov_unsatisfied,
        sum(satisfied) filter (where item <> 'overall') as pl_satisfied,
        sum(basic) filter (where item <> 'overall') as pl_basic,
        sum(unsatisfied) filter (where item <> 'overall') as pl_unsatisfied,
        max(satisfied + basic + unsatisfied) filter (where item <> 'overall') as largest_item
    from out_activity_item
    where activity_id in (select activity_id from scope_activities)
    group by activity_id
),

ballots as (
    select v.activity_id, count(distinct v.ballot_no) as distinct_ballots
    from evaluation_votes as v
    inner join scope_activities as s on s.activity_id = v.activity_id
    where v.superseded_by is null and v.ballot_no is not null and v.item <> 'overall'
    group by v.activity_id
),

final as (
    select
        p.activity_id,
        p.branch_id,
        p.year,
        p.activity_month,
        p.activity_date,
        p.ref_date,
        p.topic,
        p.level,
        p.host_branch_id,
        coalesce(c.roster, 0) as roster,
        coalesce(c.exempt, 0) as exempt,
        coalesce(c.roster, 0) - coalesce(c.exempt, 0) as expected,
        bs.activity_id is not null as has_sign_in,
        case when bs.activity_id is not null then coalesce(c.present, 0) end
            as present,
        case when bs.activity_id is not null then coalesce(c.excused, 0) end
            as excused,
        case when bs.activity_id is not null then coalesce(c.unexcused, 0) end
            as unexcused,
        case when bs.activity_id is not null then coalesce(c.made_up, 0) end
            as made_up,
        coalesce(o.others, 0) as others,
        coalesce(g.guests, 0) as guests,
        r.activity_id is not null as has_record,
        coalesce(r.is_open_day, false) as is_open_day,
        date_diff('day', r.notice_date, p.activity_date) as notice_days,
        date_diff('day', p.activity_date, r.report_date) as report_days,
        r.duration_hours,
        coalesce(i.ov_satisfied, 0) as ov_satisfied,
        coalesce(i.ov_basic, 0) as ov_basic,
        coalesce(i.ov_unsatisfied, 0) as ov_unsatisfied,
        coalesce(i.pl_satisfied, 0) as pl_satisfied,
        coalesce(i.pl_basic, 0) as pl_basic,
        coalesce(i.pl_unsatisfied, 0) as pl_unsatisfied,
        coalesce(b.distinct_ballots, i.largest_item, 0) as item_ballots
    from pairs as p
    left join counts as c on c.activity_id = p.activity_id and c.branch_id = p.branch_id
    left join branch_sign_ins as bs on bs.activity_id = p.activity_id and bs.branch_id = p.branch_id
    left join others as o on o.activity_id = p.activity_id
    left join guests as g on g.activity_id = p.activity_id
    left join records as r on r.activity_id = p.activity_id and r.newest = 1
    left join items as i on i.activity_id = p.activity_id
    left join ballots as b on b.activity_id = p.activity_id
)

select * from final order by year, branch_id, activity_month, activity_id
