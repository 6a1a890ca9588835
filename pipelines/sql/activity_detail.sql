-- Everyone recorded at each activity of $activity_ids: the members of each taking-part branch with their status (a roster
-- member without a row is unexcused when the branch has a sign-in), members who came but are on no
-- taking-part roster (listed, never counted), and non-member guests (listed, never counted).
-- Reads `member_status` (refresh_member_status.sql for these activities, composed in by pipelines.metrics).
with remarks as (
    select activity_id, member_id, string_agg(remark, '; ') as remark
    from attendance
    where activity_id in (select unnest(cast($activity_ids as integer[]))) and superseded_by is null
    group by activity_id, member_id
),

people as (
    select
        ms.activity_id,
        case when ms.branch_id is null then 'other_member' else 'member' end as kind,
        coalesce(ms.branch_id, ms.sheet_branch_id) as branch_id,
        ms.member_id,
        ms.status,
        ms.branch_id is not null and ms.status is not null and ms.status <> 'exempt' as counted,
        ms.made_up,
        r.remark
    from member_status as ms
    left join remarks as r on r.activity_id = ms.activity_id and r.member_id = ms.member_id
),

named as (
    select
        p.activity_id,
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
        activity_id,
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
    where activity_id in (select unnest(cast($activity_ids as integer[]))) and superseded_by is null
),

final as (
    select * from named
    union all
    select * from guests
)

select * from final order by activity_id, kind, branch, status, name
