-- Everyone recorded at one activity: the members of each taking-part branch with their status (a roster
-- member without a row is unexcused when the branch has a sign-in), members who came but are on no
-- taking-part roster (listed, never counted), and non-member guests (listed, never counted).
-- Reads `member_status` (refresh_member_status.sql for this activity, registered by pipelines.metrics).
with marks as (
    select
        member_id,
        bool_or(made_up) as made_up,
        string_agg(remark, '; ') as remark,
        min(case status when 'present' then 1 when 'excused' then 2 else 3 end) as status_rank
    from attendance
    where activity_id = $activity_id and superseded_by is null
    group by member_id
),

expected_members as (
    select
        'member' as kind,
        ms.branch_id,
        ms.member_id,
        ms.status,
        ms.status is not null and ms.status <> 'exempt' as counted,
        k.made_up,
        k.remark
    from member_status as ms
    left join marks as k on k.member_id = ms.member_id
),

other_members as (
    select
        'other_member' as kind,
        a.branch_id,
        k.member_id,
        case k.status_rank when 1 then 'present' when 2 then 'excused' else 'unexcused' end as status,
        false as counted,
        k.made_up,
        k.remark
    from marks as k
    inner join (
        select member_id, min(branch_id) as branch_id
        from attendance
        where activity_id = $activity_id and superseded_by is null
        group by member_id
    ) as a on a.member_id = k.member_id
    where k.member_id not in (select member_id from member_status)
),

people as (
    select * from expected_members
    union all
    select * from other_members
),

named as (
    select
        p.kind,
        p.branch_id,
        b.name as branch,
        p.member_id,
        m.name,
        m.is_leading_cadre,
        p.status,
        p.counted,
        coalesce(p.made_up, false) as made_up,
        p.remark
    from people as p
    inner join members as m on m.member_id = p.member_id
    left join branches as b on b.branch_id = p.branch_id
),

guests as (
    select
        'guest' as kind,
        cast(null as integer) as branch_id,
        cast(null as varchar) as branch,
        cast(null as integer) as member_id,
        name,
        false as is_leading_cadre,
        'present' as status,
        false as counted,
        false as made_up,
        guest_kind as remark
    from guest_attendance
    where activity_id = $activity_id and superseded_by is null
),

final as (
    select * from named
    union all
    select * from guests
)

select * from final order by kind, branch, status, name
