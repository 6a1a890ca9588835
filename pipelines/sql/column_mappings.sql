-- The stored column mappings, by branch and name; only those of $branch_ids when it is not null.
with mappings as (
    select
        m.mapping_id,
        m.name,
        m.branch_id,
        m.kind,
        m.fingerprint,
        m.header_row,
        m.spec,
        m.created_by,
        m.created_at,
        m.updated_by,
        m.updated_at
    from column_mappings as m
    where $branch_ids is null or list_contains($branch_ids, m.branch_id)
),
final as (
    select
        mappings.*,
        b.name as branch_name
    from mappings
    left join branches as b using (branch_id)
)
select * from final order by branch_name, name, mapping_id
