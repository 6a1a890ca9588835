-- The held months of the branch-months in `touched_months` (those a refresh judged again, before and
-- after), from out_activity_judged, for out_held_months (see held_months.sql for the meaning).
with final as (
    select
        j.branch_id,
        j.year,
        j.activity_month,
        bool_and(j.violation_count = 0) as compliant
    from out_activity_judged as j
    semi join touched_months as t on t.branch_id = j.branch_id and t.activity_month = j.activity_month
    group by j.branch_id, j.year, j.activity_month
)

select * from final
