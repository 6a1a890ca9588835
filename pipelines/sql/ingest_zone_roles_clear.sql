-- The leader/deputy rows a zone division replaces (its zone, year and quarter keys, registered as
-- _ingest_rows); the new rows are inserted next.
delete from zone_quarter_roles as r
using _ingest_rows as replaced
where r.zone_id = replaced.zone_id
    and r.year = replaced.year
    and r.quarter = replaced.quarter
