-- A new column mapping (its audit entry is written in the same transaction).
insert into column_mappings (name, branch_id, kind, fingerprint, header_row, spec, created_by)
values ($mapping_name, $branch_id, $kind, $fingerprint, $header_row, $spec, $actor)
returning mapping_id
