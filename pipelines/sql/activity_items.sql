-- Votes and satisfaction per activity and evaluation item, for the charts; the rate of each item uses
-- the ratings the rules count as satisfied. Reads `activity_figures` (registered by pipelines.metrics)
-- for the branch, zone and period of each activity.
with activity_list as (
    select distinct activity_id, branch_id, branch, zone_id, zone, year, month, date, topic
    from activity_figures
),

final as (
    select
        a.activity_id,
        a.branch_id,
        a.branch,
        a.zone_id,
        a.zone,
        a.month,
        a.date,
        a.topic,
        i.item,
        i.satisfied,
        i.basic,
        i.unsatisfied,
        i.satisfied + i.basic + i.unsatisfied as votes,
        case when i.satisfied + i.basic + i.unsatisfied > 0 then
            ((case when $count_satisfied then i.satisfied else 0 end)
                + (case when $count_basic then i.basic else 0 end))
            / (i.satisfied + i.basic + i.unsatisfied)
        end as satisfaction
    from activity_list as a
    inner join out_activity_item as i on i.activity_id = a.activity_id and i.year = a.year
)

select * from final
