-- Years that have activities, newest first (the pages offer these in the year filter).
with years as (
    select distinct year(activity_month) as year
    from activities
),

final as (
    select year from years order by year desc
)

select * from final
