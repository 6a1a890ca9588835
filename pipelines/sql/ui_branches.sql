-- Branches with their zone, for the filters and labels of the pages.
with zoned as (
    select
        b.branch_id,
        b.name as branch_name,
        b.zone_id,
        z.name as zone_name,
        coalesce(z.sort_order, 0) as zone_order
    from branches as b
    left join zones as z on z.zone_id = b.zone_id
),

final as (
    select branch_id, branch_name, zone_id, zone_name
    from zoned
    order by zone_order, zone_name, branch_id
)

select * from final
