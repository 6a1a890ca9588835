-- The uploads loaded or undone since the last refresh (out_refresh_log), with the branches each touched
-- (summary.branch_ids, written by ingest). No row of out_refresh_log yet: no rows here either.
with last_refresh as (
    select max(refreshed_at) as refreshed_at, max(max_upload_id) as max_upload_id
    from out_refresh_log
),

final as (
    select
        u.upload_id,
        u.status,
        cast(json_extract(u.summary, '$.branch_ids') as varchar) as branch_ids
    from uploads as u
    cross join last_refresh as l
    where l.refreshed_at is not null
        and (u.upload_id > coalesce(l.max_upload_id, 0) or u.undone_at >= l.refreshed_at)
)

select * from final order by upload_id
