-- The held months kept in out_held_months (with the judgement of out_activity_judged), in the columns
-- of held_months.sql, for the counted months ($months) and the branches asked. pipelines.metrics reads
-- it in place of held_months.sql when the kept judgement was made under the rules applied.
with final as (
    select
        h.branch_id,
        h.activity_month,
        quarter(h.activity_month) as quarter,
        h.compliant
    from out_held_months as h
    where h.activity_month in (select unnest(cast($months as date[])))
        and ($branch_ids is null or h.branch_id in (select unnest(cast($branch_ids as integer[]))))
        and ($branch is null or h.branch_id in (select b.branch_id from branches as b where b.name = $branch))
)

select * from final
