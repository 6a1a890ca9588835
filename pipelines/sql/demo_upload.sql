-- The upload record of a generated committee loaded directly (no workbook went through ingest).
insert into uploads (upload_id, file_name, sha256, kind, uploaded_by, status, summary)
values ($upload_id, $file_name, $sha256, 'generated', $actor, 'loaded', $summary)
