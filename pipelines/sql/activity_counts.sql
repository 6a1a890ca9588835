-- The counts (out_activity_branch, refreshed on every load) of the years and branches asked: what
-- judged_activity_branch.sql judges when the judgement is made on read.
with final as (
    select o.*
    from out_activity_branch as o
    where o.year between $year_from and $year_to
        and ($branch_ids is null or o.branch_id in (select unnest(cast($branch_ids as integer[]))))
        and ($branch is null or o.branch_id in (select b.branch_id from branches as b where b.name = $branch))
        and ($activity_id is null or o.activity_id = $activity_id)
)

select * from final
