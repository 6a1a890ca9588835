-- out_activity_item for the refreshed activities (`refresh_pairs`): live votes per activity, item and rating.
with scope_activities as (
    select distinct activity_id, year
    from refresh_pairs
),

votes as (
    select s.activity_id, s.year, v.item, v.rating, v.votes
    from evaluation_votes as v
    inner join scope_activities as s on s.activity_id = v.activity_id
    where v.superseded_by is null
),

final as (
    select
        activity_id,
        year,
        item,
        coalesce(sum(votes) filter (where rating = 'satisfied'), 0) as satisfied,
        coalesce(sum(votes) filter (where rating = 'basic'), 0) as basic,
        coalesce(sum(votes) filter (where rating = 'unsatisfied'), 0) as unsatisfied
    from votes
    group by activity_id, year, item
)

select * from final order by year, activity_id, item
