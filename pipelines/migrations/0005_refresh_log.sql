-- When the derived figures (out_ tables) were last refreshed, and the newest upload they include: a
-- refresh asked for some years then recomputes only the branches of the uploads loaded or undone since
-- (pipelines/refresh.py), instead of every branch of those years.
create table out_refresh_log (
    refreshed_at timestamp not null,
    max_upload_id integer
);

-- A database whose figures are already derived (schema 4) starts from here; a new one, or one upgraded
-- from before the derived tables, has no row, and its next refresh recomputes every year.
insert into out_refresh_log
select current_timestamp, (select max(upload_id) from uploads)
where exists (select 1 from out_activity_branch);
