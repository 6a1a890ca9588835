-- The kept judgement learns how many rows each activity has (one per taking-part branch): counting
-- activities then needs a distinct count only over the few joint ones. The judgement kept so far has no
-- such count, so it is set aside: until the next refresh judges everything again (any load, undo or
-- rule change), pages judge the counts on read, as for a database that never kept one.
alter table out_activity_judged add column parts integer;

delete from out_judged_rules;
