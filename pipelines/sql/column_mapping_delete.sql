-- A column mapping deleted by the committee.
delete from column_mappings where mapping_id = $mapping_id
