-- The data fingerprint of a snapshot: per table, the live row count and an order-independent hash of
-- the row contents (which upload brought a row is left out: the uploads are fingerprinted apart).
-- xor of the md5 of each row, plus the sum of their low 64 bits so that two identical rows do not
-- cancel each other out.
with live_memberships as (
    select * exclude (upload_id, superseded_by) from memberships where superseded_by is null
),
live_exemptions as (
    select * exclude (upload_id, superseded_by) from exemptions where superseded_by is null
),
live_activity_records as (
    select * exclude (upload_id, superseded_by) from activity_records where superseded_by is null
),
live_attendance as (
    select * exclude (upload_id, superseded_by) from attendance where superseded_by is null
),
live_guest_attendance as (
    select * exclude (upload_id, superseded_by) from guest_attendance where superseded_by is null
),
live_evaluation_votes as (
    select * exclude (upload_id, superseded_by) from evaluation_votes where superseded_by is null
),
all_zones as (select * exclude (upload_id) from zones),
all_branches as (select * exclude (upload_id) from branches),
all_members as (select * exclude (upload_id) from members),
all_activities as (select * exclude (created_upload_id) from activities),
all_activity_branches as (select * from activity_branches),
all_zone_quarter_roles as (select * exclude (upload_id) from zone_quarter_roles),
row_texts as (
    select 'zones' as table_name, cast(r as varchar) as row_text from all_zones r
    union all select 'branches', cast(r as varchar) from all_branches r
    union all select 'members', cast(r as varchar) from all_members r
    union all select 'activities', cast(r as varchar) from all_activities r
    union all select 'activity_branches', cast(r as varchar) from all_activity_branches r
    union all select 'zone_quarter_roles', cast(r as varchar) from all_zone_quarter_roles r
    union all select 'memberships', cast(r as varchar) from live_memberships r
    union all select 'exemptions', cast(r as varchar) from live_exemptions r
    union all select 'activity_records', cast(r as varchar) from live_activity_records r
    union all select 'attendance', cast(r as varchar) from live_attendance r
    union all select 'guest_attendance', cast(r as varchar) from live_guest_attendance r
    union all select 'evaluation_votes', cast(r as varchar) from live_evaluation_votes r
),
final as (
    select
        table_name,
        count(*) as row_count,
        cast(coalesce(bit_xor(md5_number(row_text)), 0) as varchar) as xor_hash,
        cast(coalesce(sum(md5_number_lower(row_text)), 0) as varchar) as sum_hash
    from row_texts
    group by table_name
)
select * from final order by table_name
