-- The activities and taking-part branches of a year, as the events command and the pages list them
-- (pipelines.metrics.events puts them in calendar order). $only keeps the rows a page lists rather
-- than every row: 'quorum_failed', 'low_satisfaction', 'violating' (broke any rule), 'flagged'
-- (broke a rule or had low satisfaction: the overview's alerts). Reads `activity_figures` (composed in
-- by pipelines.metrics).
with final as (
    select *
    from activity_figures
    where $only is null
        or ($only = 'quorum_failed' and not quorum_met)
        or ($only = 'low_satisfaction' and low_satisfaction)
        or ($only = 'violating' and violation_count > 0)
        or ($only = 'flagged' and (violation_count > 0 or low_satisfaction))
)

select * from final
