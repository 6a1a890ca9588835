-- Take $n consecutive values of the shared id sequence (inside the write transaction, under the
-- exclusive lock, so nobody else draws from it meanwhile); returns the first and the last.
with drawn as (
    select nextval('seq_id') as id
    from range($n)
),

final as (
    select min(id) as first_id, max(id) as last_id, count(*) as n
    from drawn
)

select * from final
