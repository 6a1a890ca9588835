-- The months in which each branch held a theme Party day under the kept judgement (out_activity_judged),
-- and whether the month's activities broke no rule: held_months.sql, kept beside the judgement by
-- pipelines.refresh, so the ranking, zone and overview figures count these months rather than grouping a
-- year of activities on every view. A database upgraded to this version derives them from the judgement
-- it already keeps.
create table out_held_months (
    branch_id integer not null,
    year integer not null,
    activity_month date not null,
    compliant boolean not null
);

insert into out_held_months
select branch_id, year, activity_month, bool_and(violation_count = 0) as compliant
from out_activity_judged
group by branch_id, year, activity_month
order by year, branch_id;
