-- The year of one activity (the activity page opens activities of any year).
with found as (
    select year(activity_month) as year
    from activities
    where activity_id = $activity_id
),

final as (
    select year from found
)

select * from final
