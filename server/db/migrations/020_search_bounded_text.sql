-- A postmortem's search text is bounded: the first 20,000 characters of its
-- summary and factors, the first 60,000 of its other sections, timeline and
-- action items. Indexing all of it (eight 50,000-character sections) took
-- a fifth of a second per refresh on embedded PGlite, where the database runs
-- on the server's own thread, so every other request waited; and a refresh
-- runs again for each action item a publication writes. Search snippets are
-- cut from the same text, so they shrink with it. A postmortem that long is
-- still found by everything in its first pages.
--
-- An action item's refresh also runs only when its title or category
-- actually changed: publishing again upserts every item, mostly unchanged.

create or replace function incident_search_refresh(target text) returns void
language plpgsql as $$
declare
  inc record;
  snap jsonb;
  snap_version int;
  title_text text;
  about_text text;
  detail_text text;
  cats text[];
begin
  select i.number, i.severity, i.services, i.private, i.drill, i.started_at, i.title, i.public_title, i.summary
    into inc from incidents i where i.id = target;
  if not found then
    return;
  end if;
  select v.snapshot, v.version into snap, snap_version
    from postmortem_versions v where v.incident_id = target order by v.version desc limit 1;

  title_text := incident_search_clean(inc.title || ' ' || coalesce(inc.public_title, ''));
  about_text := incident_search_plain(left(concat_ws(E'\n',
    nullif(inc.summary, ''),
    nullif(snap #>> '{sections,summary}', ''),
    (select string_agg(f ->> 'description', E'\n') from jsonb_array_elements(coalesce(snap -> 'factors', '[]'::jsonb)) f)), 20000));
  detail_text := incident_search_plain(left(concat_ws(E'\n',
    (select string_agg(s.value, E'\n' order by s.key) from jsonb_each_text(coalesce(snap -> 'sections', '{}'::jsonb)) s
      where s.key <> 'summary' and s.value <> ''),
    (select string_agg(e ->> 'text', E'\n' order by e ->> 'at') from jsonb_array_elements(coalesce(snap -> 'timeline', '[]'::jsonb)) e),
    (select string_agg(a.title || ' ' || a.problem_category, E'\n' order by a.created_at) from action_items a where a.incident_id = target)), 60000));
  select coalesce(array_agg(distinct f ->> 'category'), '{}') into cats
    from jsonb_array_elements(coalesce(snap -> 'factors', '[]'::jsonb)) f where f ->> 'category' is not null;

  insert into incident_search (incident_id, number, severity, services, private, drill, started_at, document, categories, published_version, body, updated_at)
  values (
    target, inc.number, inc.severity, inc.services, inc.private, inc.drill, inc.started_at,
    setweight(to_tsvector('english'::regconfig, title_text), 'A')
      || setweight(to_tsvector('english'::regconfig, about_text), 'B')
      || setweight(to_tsvector('english'::regconfig, detail_text), 'C'),
    cats,
    snap_version,
    concat_ws(E'\n', nullif(about_text, ''), nullif(detail_text, '')),
    now())
  on conflict (incident_id) do update set
    number = excluded.number,
    severity = excluded.severity,
    services = excluded.services,
    private = excluded.private,
    drill = excluded.drill,
    started_at = excluded.started_at,
    document = excluded.document,
    categories = excluded.categories,
    published_version = excluded.published_version,
    body = excluded.body,
    updated_at = excluded.updated_at;
end
$$;

drop trigger incident_search_action_item on action_items;
create trigger incident_search_action_item_insert after insert on action_items
  for each row execute function incident_search_on_child();
create trigger incident_search_action_item_update after update of title, problem_category on action_items
  for each row
  when (old.title is distinct from new.title or old.problem_category is distinct from new.problem_category)
  execute function incident_search_on_child();

-- Postmortems indexed in full before this migration.
select incident_search_refresh(incident_id) from incident_search where length(body) > 60000;
