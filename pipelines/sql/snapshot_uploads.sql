-- Every upload with its status (a snapshot fingerprints the loaded ones), and for each the later
-- uploads that replaced some of its rows (a correction marks them superseded_by its own id).
with all_uploads as (
    select upload_id, file_name, sha256, kind, branch_id, uploaded_at, uploaded_by, status,
        undone_at, undone_by
    from uploads
),
fact_links as (
    select upload_id, superseded_by from memberships where superseded_by is not null
    union select upload_id, superseded_by from exemptions where superseded_by is not null
    union select upload_id, superseded_by from activity_records where superseded_by is not null
    union select upload_id, superseded_by from attendance where superseded_by is not null
    union select upload_id, superseded_by from guest_attendance where superseded_by is not null
    union select upload_id, superseded_by from evaluation_votes where superseded_by is not null
),
replaced as (
    select upload_id, list(distinct superseded_by order by superseded_by) as replaced_by
    from fact_links
    group by upload_id
),
final as (
    select
        u.upload_id,
        u.file_name,
        u.sha256,
        u.kind,
        u.branch_id,
        b.name as branch,
        strftime(u.uploaded_at, '%Y-%m-%d %H:%M:%S') as uploaded_at,
        u.uploaded_by,
        u.status,
        strftime(u.undone_at, '%Y-%m-%d %H:%M:%S') as undone_at,
        u.undone_by,
        coalesce(r.replaced_by, []) as replaced_by
    from all_uploads u
    left join replaced r using (upload_id)
    left join branches b on b.branch_id = u.branch_id
)
select * from final order by upload_id
