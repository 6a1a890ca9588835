-- The counts a refresh has just rebuilt (the same rows it deleted and re-inserted in
-- out_activity_branch: the activities in scope, and every row of the branches in scope), for
-- judged_activity_branch.sql to judge into out_activity_judged. Reads `refresh_pairs`
-- (registered by pipelines.refresh).
with final as (
    select o.*
    from out_activity_branch as o
    where list_contains($years, o.year)
        and ($all
            or o.activity_id in (select p.activity_id from refresh_pairs as p)
            or list_contains(cast($branches as integer[]), o.branch_id))
)

select * from final
