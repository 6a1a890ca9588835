-- The counted months ($months) in which a branch held no theme Party day, in the columns of
-- compliance.sql: the overview's alerts, without building the whole branch × month calendar. Reads
-- `held_months` (composed in by pipelines.metrics).
with scoped_branches as (
    select b.branch_id, b.name as branch, b.zone_id, z.name as zone
    from branches as b
    left join zones as z on z.zone_id = b.zone_id
    where ($branch_ids is null or list_contains(cast($branch_ids as integer[]), b.branch_id))
        and ($branch is null or b.name = $branch)
),

months as (
    select unnest(cast($months as date[])) as activity_month
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
        false as held,
        cast(0 as bigint) as activities,
        cast([] as varchar[]) as violations,
        false as compliant
    from scoped_branches as b
    cross join months as m
    anti join held_months as h on h.branch_id = b.branch_id and h.activity_month = m.activity_month
)

select * from final
