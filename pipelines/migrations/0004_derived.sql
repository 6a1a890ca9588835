-- Derived figures (the out_ layer), recomputed by pipelines.refresh inside every load, undo and demo
-- write, so pages never recount attendance rows on a page view.
-- These tables hold COUNTS only, never a judgement: thresholds, the satisfaction formula and the
-- ranking weights come from the rules configuration and are applied when the figures are read
-- (pipelines/sql/activity_figures.sql), so changing a rule needs no refresh and a snapshot can be
-- recomputed with the rules it stored.

-- One row per activity and taking-part branch (the host and every branch of a joint activity).
create table out_activity_branch (
    activity_id integer not null,
    branch_id integer not null,
    year integer not null,
    activity_month date not null,
    activity_date date,              -- null when the source gives only the month
    ref_date date not null,          -- roster date: the activity date, else the last day of the month
    topic varchar,
    level varchar,
    host_branch_id integer,
    roster integer not null,         -- members on the branch roster on ref_date
    exempt integer not null,         -- of those, exempt on ref_date (shown, not expected)
    expected integer not null,       -- roster - exempt
    has_sign_in boolean not null,    -- attendance was recorded for this branch
    present integer,                 -- null when there is no sign-in for this branch
    excused integer,
    unexcused integer,
    made_up integer,
    others integer not null,         -- attendance rows of members on no taking-part roster (not counted)
    guests integer not null,         -- non-members who attended (never counted)
    has_record boolean not null,
    is_open_day boolean not null,
    notice_days integer,             -- activity date - notice date
    report_days integer,             -- report date - activity date
    duration_hours double,
    ov_satisfied integer not null,   -- votes on the overall item (总体评价)
    ov_basic integer not null,
    ov_unsatisfied integer not null,
    pl_satisfied integer not null,   -- votes pooled over the four items (theme, content, format, effect)
    pl_basic integer not null,
    pl_unsatisfied integer not null,
    item_ballots integer not null  -- ballots when rated on items: distinct ballots, else the largest item total
);

-- Votes per activity and evaluation item (for the per-item charts).
create table out_activity_item (
    activity_id integer not null,
    year integer not null,
    item varchar not null,
    satisfied integer not null,
    basic integer not null,
    unsatisfied integer not null
);

-- Attendance of each member per branch and year, over the activities they were expected at.
create table out_member_year (
    member_id integer not null,
    branch_id integer not null,
    year integer not null,
    expected integer not null,       -- activities with a sign-in at which the member was expected
    present integer not null,
    excused integer not null,
    unexcused integer not null,
    made_up integer not null,
    exempt integer not null,         -- activities at which the member was exempt
    max_unexcused_run integer not null,  -- longest run of consecutive unexcused absences
    last_unexcused_run integer not null  -- unexcused absences in a row up to the latest activity
);

-- No keys or indexes: a refresh deletes and re-inserts whole years in one transaction, and rows are
-- inserted ordered by (year, branch_id) so DuckDB's min/max zone maps skip what a query filters out.
