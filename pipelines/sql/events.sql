-- The activities and taking-part branches of a year, in calendar order, as the events command and the
-- pages list them. Reads `activity_figures` (composed in by pipelines.metrics).
with final as (
    select *
    from activity_figures
)

select * from final order by activity_month, date, zone_id, branch_id, activity_id
