-- Column mappings a secretary taught the upload page for a sheet layout the reader did not recognise
-- (pipelines/ingest/mapping.py). One per branch and header shape: `fingerprint` is the SHA-256 prefix
-- of the header row's folded cells, so next month's file of the same template finds it. `spec` holds the
-- columns and the taught words as JSON; `header_row` is 0-based. Uniqueness (of the name, and of the
-- branch and fingerprint) is kept by the code that writes it, in the same transaction as its audit entry.
create table column_mappings (
    mapping_id integer primary key default nextval('seq_id'),
    name varchar not null,
    branch_id integer not null,
    kind varchar not null,
    fingerprint varchar not null,
    header_row integer not null,
    spec varchar not null,
    created_by varchar,
    created_at timestamp not null default current_timestamp,
    updated_by varchar,
    updated_at timestamp
);
