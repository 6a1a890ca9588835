-- The activities hosted or taken part in by $branches, with every branch taking part in each: what an
-- upload matches its sheets against (read once per branch and upload).
with involved as (
    select activity_id
    from activities
    where host_branch_id in (select unnest($branches))
    union
    select activity_id
    from activity_branches
    where branch_id in (select unnest($branches))
)

select
    a.activity_id,
    a.host_branch_id,
    a.activity_month,
    a.activity_date,
    a.topic,
    a.level,
    coalesce(list(ab.branch_id) filter (where ab.branch_id is not null), []) as parts
from activities as a
inner join involved using (activity_id)
left join activity_branches as ab using (activity_id)
group by all
