-- Core model of the theme Party day dashboard.
-- Conventions (see pipelines/README.md):
--   * every fact row carries the upload that brought it (upload_id) and, once a later upload
--     replaces it, that upload's id in superseded_by. Live data is `superseded_by is null`.
--     Undoing upload U deletes its rows and clears superseded_by = U, restoring what it replaced.
--   * dates are DATE; a month is the DATE of its first day (activity_month).
--   * ID-card and phone numbers are never stored (there is no column for them).

create sequence if not exists seq_id start 1;

create table committee (
    committee_id integer primary key,
    name varchar not null
);

create table zones (
    zone_id integer primary key default nextval('seq_id'),
    name varchar not null unique,
    sort_order integer not null default 0,
    upload_id integer
);

-- Leader (组长单位) and deputy (副组长单位) branch of a zone for one quarter.
create table zone_quarter_roles (
    zone_id integer not null,
    year integer not null,
    quarter integer not null check (quarter between 1 and 4),
    leader_branch_id integer,
    deputy_branch_id integer,
    upload_id integer,
    primary key (zone_id, year, quarter)
);

create table branches (
    branch_id integer primary key default nextval('seq_id'),
    name varchar not null unique,
    zone_id integer,
    secretary varchar,
    upload_id integer
);

create table members (
    member_id integer primary key default nextval('seq_id'),
    name varchar not null,
    sex varchar,
    birth_date date,
    joined_party_date date,
    member_kind varchar check (member_kind in ('full', 'probationary')),
    is_leading_cadre boolean not null default false,
    upload_id integer
);

-- Effective-dated membership: a member belongs to one branch at a time.
-- end_date is the last day of membership (inclusive); null means still a member.
create table memberships (
    membership_id integer primary key default nextval('seq_id'),
    member_id integer not null,
    branch_id integer not null,
    start_date date not null,
    end_date date,
    change_reason varchar, -- 'roster', 'joined', 'left', 'transfer_in', 'transfer_out', 'first_signin'
    upload_id integer,
    superseded_by integer
);

-- Approved exclusion from the denominator (abroad, bedridden, ...), shown wherever it applies.
create table exemptions (
    exemption_id integer primary key default nextval('seq_id'),
    member_id integer not null,
    start_date date not null,
    end_date date,
    reason varchar not null,
    upload_id integer,
    superseded_by integer
);

-- Branches a leading cadre is in charge of (分管单位) and attends as a guide.
create table cadre_guidance (
    member_id integer not null,
    branch_id integer not null,
    primary key (member_id, branch_id)
);

-- The identity of one activity. Facts about it live in the facet tables below.
create table activities (
    activity_id integer primary key default nextval('seq_id'),
    host_branch_id integer,
    activity_month date not null,          -- first day of the month
    activity_date date,                    -- null when the source gives only the month
    topic varchar,
    level varchar not null default 'branch' check (level in ('branch', 'zone', 'committee')),
    created_upload_id integer
);

-- Branches taking part (a zone's joint activity involves several; each counts against its own roster).
create table activity_branches (
    activity_id integer not null,
    branch_id integer not null,
    primary key (activity_id, branch_id)
);

-- The activity record (活动纪实表).
create table activity_records (
    record_id integer primary key default nextval('seq_id'),
    activity_id integer not null,
    topic varchar,
    topic_kind varchar check (topic_kind in ('mandatory', 'optional')),
    start_time time,
    end_time time,
    duration_hours double,
    place varchar,
    host varchar,
    notice_date date,
    report_date date,
    is_open_day boolean not null default false,
    expected_count integer,
    present_count integer,
    leave_count integer,
    content varchar,
    upload_id integer,
    superseded_by integer
);

-- Attendance of members. status: present | excused | unexcused. made_up: make-up study (补学) recorded;
-- it never turns an absence into presence.
create table attendance (
    activity_id integer not null,
    member_id integer not null,
    branch_id integer not null,
    status varchar not null check (status in ('present', 'excused', 'unexcused')),
    made_up boolean not null default false,
    remark varchar,
    upload_id integer,
    superseded_by integer
);

-- Non-members who attended (activists, masses, observers ...): never counted toward attendance.
create table guest_attendance (
    activity_id integer not null,
    name varchar not null,
    guest_kind varchar,
    upload_id integer,
    superseded_by integer
);

-- Evaluation (测评). item: theme | content | format | effect | overall.
-- rating: satisfied | basic | unsatisfied. votes: a count; one row per ballot has votes = 1 and ballot_no.
create table evaluation_votes (
    activity_id integer not null,
    item varchar not null check (item in ('theme', 'content', 'format', 'effect', 'overall')),
    rating varchar not null check (rating in ('satisfied', 'basic', 'unsatisfied')),
    votes integer not null check (votes >= 0),
    rater_kind varchar,       -- member | non_member | observer | liaison | null when unknown
    ballot_no integer,
    upload_id integer,
    superseded_by integer
);

create table uploads (
    upload_id integer primary key default nextval('seq_id'),
    file_name varchar not null,
    sha256 varchar not null,
    kind varchar,
    branch_id integer,
    uploaded_by varchar,
    uploaded_at timestamp not null default current_timestamp,
    status varchar not null check (status in ('loaded', 'undone')),
    summary json,             -- what it loaded: counts per table, activities, notes
    undone_at timestamp,
    undone_by varchar
);

-- Rule overrides set by the committee, newest wins; the defaults live in pipelines/rules.default.toml.
create table rule_settings (
    setting_id integer primary key default nextval('seq_id'),
    rules_toml varchar not null,
    changed_by varchar,
    changed_at timestamp not null default current_timestamp
);

create table audit_log (
    audit_id integer primary key default nextval('seq_id'),
    logged_at timestamp not null default current_timestamp,
    actor varchar,
    action varchar not null,
    target varchar,
    detail json
);
