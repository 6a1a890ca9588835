-- A column mapping taught again or edited: its name, header row, columns and words.
update column_mappings
set
    name = $mapping_name,
    header_row = $header_row,
    spec = $spec,
    updated_by = $actor,
    updated_at = current_timestamp
where mapping_id = $mapping_id
