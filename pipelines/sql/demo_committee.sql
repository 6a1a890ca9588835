-- Name the committee unless it already has a name.
insert into committee (committee_id, name)
select 1, $committee_name
where not exists (select 1 from committee)
