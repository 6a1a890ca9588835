-- What a committee database holds: the figures the demo command prints (members: on the roster on $today).
with counts as (
    select
        (select count(*) from zones) as zones,
        (select count(*) from branches) as branches,
        (select count(distinct member_id) from memberships
         where superseded_by is null and start_date <= $today
           and (end_date is null or end_date >= $today)) as members,
        (select count(*) from activities) as activities,
        (select count(*) from attendance where superseded_by is null) as attendance_rows,
        (select count(*) from evaluation_votes where superseded_by is null) as evaluation_rows,
        (select count(*) from uploads where status = 'loaded') as uploads
),

final as (
    select * from counts
)

select * from final
