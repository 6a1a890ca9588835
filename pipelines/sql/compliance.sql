-- Compliance per branch and counted month, in zone and branch order, as the compliance command and the
-- pages list it. Reads `branch_months` (composed in by pipelines.metrics).
with final as (
    select *
    from branch_months
)

select * from final order by zone_id, branch_id, activity_month
