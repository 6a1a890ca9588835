-- When the derived figures (out_ tables) were last refreshed, and the newest upload they include: a
-- refresh asked for some years then recomputes only the branches of the uploads loaded or undone since
-- (pipelines/refresh.py), instead of every branch of those years.
create table out_refresh_log (
    refreshed_at timestamp not null,
    max_upload_id integer
);
