-- Year-end ranking snapshots (评先选优的依据): frozen, reproducible, explained.
-- A snapshot is written once and never updated: later uploads, corrections or rule changes never
-- alter it. A newer snapshot of the same period supersedes it (derived when listing, not stored);
-- deleting one needs the committee role and leaves a record in audit_log.
-- Everything it shows is stored as JSON rows (as the rules engine produced them at the time), so a
-- later change of the code cannot change a stored snapshot either.

create sequence if not exists seq_snapshot start 1;

create table snapshots (
    snapshot_id integer primary key default nextval('seq_snapshot'),
    name varchar not null,
    note varchar,
    year integer not null,
    quarter integer check (quarter between 1 and 4),   -- null: the whole year
    committee_name varchar,
    taken_by varchar,
    taken_at timestamp not null,
    rules_json varchar not null,     -- Rules.to_json() of the configuration in force
    uploads_json varchar not null,   -- the live uploads: [{upload_id, file_name, sha256, kind, branch_id, uploaded_at}]
    facts_json varchar not null,     -- per fact table: live row count and content hash
    fingerprint varchar not null     -- sha256 over the uploads and the fact hashes
);

-- One row per part: ranking, strikes, quorum_failures, absentees, recommended, best_cases.
create table snapshot_parts (
    snapshot_id integer not null,
    part varchar not null,
    rows_json varchar not null,      -- a JSON list of objects
    primary key (snapshot_id, part)
);
