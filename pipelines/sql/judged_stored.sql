-- The judgement kept in out_activity_judged, for the years, branches (or one activity) asked. pipelines.metrics reads
-- it in place of judged_activity_branch.sql only when it was made under the rules the caller applies
-- (out_judged_rules holds their fingerprint); the columns are those of judged_activity_branch.sql.
with final as (
    select j.*
    from out_activity_judged as j
    where j.year between $year_from and $year_to
        and ($branch_ids is null or j.branch_id in (select unnest(cast($branch_ids as integer[]))))
        and ($branch is null or j.branch_id in (select b.branch_id from branches as b where b.name = $branch))
        and ($activity_id is null or j.activity_id = $activity_id)
)

select * from final
