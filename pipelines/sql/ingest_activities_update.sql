-- The date, topic and level an upload leaves its existing activities with (the changed ones, registered
-- as _ingest_rows).
update activities
set activity_date = changed.activity_date,
    topic = changed.topic,
    level = changed.level
from _ingest_rows as changed
where activities.activity_id = changed.activity_id
