-- The branches asked ($branch_ids, or the one named $branch; every branch when neither) with their names
-- and zones: the rows of the compliance calendar (branch_months.sql) and of the missed months
-- (missed_months.sql), which read it as `scoped_branches` (composed in by pipelines.metrics).
with final as (
    select b.branch_id, b.name as branch, b.zone_id, z.name as zone
    from branches as b
    left join zones as z on z.zone_id = b.zone_id
    where ($branch_ids is null or list_contains(cast($branch_ids as integer[]), b.branch_id))
        and ($branch is null or b.name = $branch)
)

select * from final
