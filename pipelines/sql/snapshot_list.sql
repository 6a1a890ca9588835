-- Every snapshot, newest first; a snapshot is superseded by the next one taken for the same period.
with ordered as (
    select
        snapshot_id,
        name,
        note,
        year,
        quarter,
        committee_name,
        taken_by,
        taken_at,
        fingerprint,
        lead(snapshot_id) over (
            partition by year, coalesce(quarter, 0) order by taken_at, snapshot_id
        ) as superseded_by
    from snapshots
),
final as (
    select
        snapshot_id as id,
        name,
        note,
        year,
        quarter,
        committee_name,
        taken_by,
        strftime(taken_at, '%Y-%m-%d %H:%M:%S') as taken_at,
        fingerprint,
        superseded_by
    from ordered
)
select * from final order by id desc
