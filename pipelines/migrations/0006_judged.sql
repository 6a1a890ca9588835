-- The judgement of every activity and taking-part branch (judged_activity_branch.sql) under the rules in
-- force, kept so that a page view reads figures instead of judging a year of counts again. Unlike the
-- counts of 0004 this depends on the rules: out_judged_rules holds the fingerprint of the rules it was
-- made under (pipelines.metrics.rules_fingerprint). pipelines.refresh keeps it current for what a load
-- or undo touches and makes it again whole when the rules change; a reader applying other rules (a
-- snapshot's stored rules, PARTYDAY_RULES in another process) judges the counts itself instead. Names are
-- not kept (activity_figures.sql joins them on read). A database upgraded to this version starts empty
-- and is judged whole by its next refresh; until then pages judge on read, as before.
create table out_activity_judged (
    activity_id integer not null,
    branch_id integer not null,
    year integer not null,
    activity_month date not null,
    month varchar not null,          -- 'YYYY-MM'
    month_no bigint not null,
    quarter bigint not null,
    date date,
    topic varchar,
    level varchar,
    host_branch_id integer,
    roster integer not null,
    exempt integer not null,
    expected integer not null,
    present integer,
    excused integer,
    unexcused integer,
    made_up integer,
    others integer not null,
    guests integer not null,
    participation double,
    quorum_met boolean,
    satisfaction double,
    ballots integer,
    satisfied_votes integer,
    valid_votes integer,
    low_satisfaction boolean,
    has_sign_in boolean not null,
    has_record boolean not null,
    has_evaluation boolean not null,
    is_open_day boolean not null,
    notice_days integer,
    report_days integer,
    duration_hours double,
    violation_count integer not null,
    violations varchar[] not null
);

create table out_judged_rules (
    fingerprint varchar not null,
    judged_at timestamp not null
);
