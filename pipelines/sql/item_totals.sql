-- Votes per evaluation item pooled over the activities of each branch ($per = 'branch') or each zone
-- ($per = 'zone') in the months asked ($month_keys: 'YYYY-MM' keys, null for the whole year): the
-- satisfaction page's item chart without listing every activity of a province. A joint activity counts
-- once for each branch (or zone) taking part. The rate uses the ratings the rules count as satisfied.
-- Reads `judged_activity_branch` (composed in by pipelines.metrics).
with rows_asked as (
    select j.activity_id, j.parts, case when $per = 'zone' then null else j.branch_id end as branch_id, b.zone_id
    from judged_activity_branch as j
    inner join branches as b on b.branch_id = j.branch_id
    where $month_keys is null or list_contains(cast($month_keys as varchar[]), j.month)
),

activity_units as (
    -- one row per activity and branch (or zone): only a joint activity's rows can repeat one
    select activity_id, branch_id, zone_id from rows_asked where parts = 1
    union all
    select distinct activity_id, branch_id, zone_id from rows_asked where parts > 1
),

pooled as (
    select
        u.branch_id,
        u.zone_id,
        i.item,
        sum(i.satisfied) as satisfied,
        sum(i.basic) as basic,
        sum(i.unsatisfied) as unsatisfied
    from activity_units as u
    inner join out_activity_item as i on i.activity_id = u.activity_id
    where i.year between $year_from and $year_to  -- the year's votes only (the table keeps every year)
    group by u.branch_id, u.zone_id, i.item
),

final as (
    select
        p.branch_id,
        b.name as branch,
        p.zone_id,
        z.name as zone,
        p.item,
        cast(p.satisfied as bigint) as satisfied,
        cast(p.basic as bigint) as basic,
        cast(p.unsatisfied as bigint) as unsatisfied,
        cast(p.satisfied + p.basic + p.unsatisfied as bigint) as votes,
        case when p.satisfied + p.basic + p.unsatisfied > 0 then
            ((case when $count_satisfied then p.satisfied else 0 end)
                + (case when $count_basic then p.basic else 0 end))
            / (p.satisfied + p.basic + p.unsatisfied)
        end as satisfaction
    from pooled as p
    left join branches as b on b.branch_id = p.branch_id
    left join zones as z on z.zone_id = p.zone_id
)

select * from final
