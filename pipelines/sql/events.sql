-- The activities and taking-part branches of a year, as the events command and the pages list them
-- (pipelines.metrics.events puts them in calendar order). Reads `activity_figures` (composed in by
-- pipelines.metrics).
with final as (
    select *
    from activity_figures
)

select * from final
