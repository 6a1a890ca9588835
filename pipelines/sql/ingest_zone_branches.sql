-- The zone and secretary a zone division gives existing branches (the changed ones, registered as
-- _ingest_rows: branch_id, zone_id, secretary as they are to be).
update branches
set zone_id = changed.zone_id,
    secretary = changed.secretary
from _ingest_rows as changed
where branches.branch_id = changed.branch_id
