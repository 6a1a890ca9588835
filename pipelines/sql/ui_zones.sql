-- Zones in their display order.
with final as (
    select zone_id, name as zone_name, sort_order
    from zones
    order by sort_order, name
)

select * from final
