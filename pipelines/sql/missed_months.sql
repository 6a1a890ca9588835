-- The counted months ($months) in which a branch held no theme Party day, in the columns of
-- compliance.sql: the overview's alerts, without building the whole branch × month calendar. Reads
-- `held_months` and `scoped_branches` (composed in by pipelines.metrics).
with months as (
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
        'ended' as status,  -- counted months only: a month in progress is never missed
        false as held,
        true as missed,
        cast(0 as bigint) as activities,
        cast([] as varchar[]) as violations,
        false as compliant
    from scoped_branches as b
    cross join months as m
    anti join held_months as h on h.branch_id = b.branch_id and h.activity_month = m.activity_month
)

select * from final
