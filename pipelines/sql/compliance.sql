-- Compliance per branch and counted month, as the compliance command and the pages list it (in zone
-- and branch order: pipelines.metrics.compliance sorts it). Reads `branch_months` (composed in by
-- pipelines.metrics).
with final as (
    select *
    from branch_months
)

select * from final
