-- A publication refreshes its incident's search entry once its transaction
-- has committed (server/search/refresh.ts). Inside that transaction each new
-- or renamed action item's row ran the same refresh through its trigger
-- (stemming the incident's summary and items: 10–25 ms apiece on embedded
-- PGlite, where every war room's commits wait for the transaction), only for
-- it to be done again right after. A transaction that refreshes after it
-- commits now says so with the setting warroom.search_after_commit (local to
-- it), and its items' rows leave the entry alone. Any other change to an
-- action item refreshes the entry as before.
create or replace function incident_search_on_child() returns trigger
language plpgsql as $$
begin
  if current_setting('warroom.search_after_commit', true) = 'on' then
    return null;
  end if;
  perform incident_search_refresh(new.incident_id);
  return null;
end
$$;
