-- out_member_year for the refreshed years: each member's record per branch and year, and their runs of
-- unexcused absences in a row (over the activities with a sign-in, in date order). Only the branches
-- whose activities were all recomputed (`refresh_pairs.in_branch_scope`).
with statuses as (
    select
        ms.member_id,
        ms.branch_id,
        ms.year,
        ms.ref_date,
        ms.activity_id,
        ms.status,
        ms.made_up
    from member_status as ms
    where ms.branch_id in (select branch_id from refresh_pairs where in_branch_scope)
),

known as (
    select
        *,
        row_number() over (partition by member_id, branch_id, year order by ref_date, activity_id) as seq,
        row_number() over (
            partition by member_id, branch_id, year, status = 'unexcused' order by ref_date, activity_id
        ) as seq_in_kind
    from statuses
    where status in ('present', 'excused', 'unexcused')
),

runs as (
    select member_id, branch_id, year, seq - seq_in_kind as run_key, count(*) as run_length, max(seq) as run_end
    from known
    where status = 'unexcused'
    group by member_id, branch_id, year, seq - seq_in_kind
),

last_seq as (
    select member_id, branch_id, year, max(seq) as last_seq
    from known
    group by member_id, branch_id, year
),

run_figures as (
    select
        r.member_id,
        r.branch_id,
        r.year,
        max(r.run_length) as max_unexcused_run,
        coalesce(max(r.run_length) filter (where r.run_end = l.last_seq), 0) as last_unexcused_run
    from runs as r
    inner join last_seq as l on l.member_id = r.member_id and l.branch_id = r.branch_id and l.year = r.year
    group by r.member_id, r.branch_id, r.year
),

counts as (
    select
        member_id,
        branch_id,
        year,
        count(*) filter (where status in ('present', 'excused', 'unexcused')) as expected,
        count(*) filter (where status = 'present') as present,
        count(*) filter (where status = 'excused') as excused,
        count(*) filter (where status = 'unexcused') as unexcused,
        count(*) filter (where made_up) as made_up,
        count(*) filter (where status = 'exempt') as exempt
    from statuses
    group by member_id, branch_id, year
),

final as (
    select
        c.member_id,
        c.branch_id,
        c.year,
        c.expected,
        c.present,
        c.excused,
        c.unexcused,
        c.made_up,
        c.exempt,
        coalesce(r.max_unexcused_run, 0) as max_unexcused_run,
        coalesce(r.last_unexcused_run, 0) as last_unexcused_run
    from counts as c
    left join run_figures as r on r.member_id = c.member_id and r.branch_id = c.branch_id and r.year = c.year
)

select * from final order by year, branch_id, member_id
