-- A published version's searchable text is stemmed once, after it is
-- published, in pieces; the incident's search entry is then put together
-- from those pieces, not stemmed again.
--
-- The entry used to be rebuilt from the newest version's snapshot on every
-- refresh: reading the snapshot, stripping its Markdown and stemming up to
-- 80,000 characters in one statement (38 ms on embedded PGlite for a long
-- postmortem, where every statement runs on the server's thread and every
-- war room's commits wait for it), and every refresh did it again: an action
-- item's new title, the incident's summary. Now the server stems a newly
-- published version's text a few thousand characters per statement
-- (server/search/refresh.ts) and marks it ready; the entry combines the
-- version's vectors with the incident's own fields, which are short. A
-- version not ready yet (published before this migration, or by a process
-- that stopped half-way) is stemmed whole, as before.
--
-- The bounds are as before in total (about 20,000 characters weighted B,
-- 60,000 weighted C), split between the version's text and the incident's
-- own (its summary; its action items' titles), so that one cannot crowd the
-- other out.
alter table postmortem_versions
  add column search_about_text text,
  add column search_detail_text text,
  add column search_about tsvector,
  add column search_detail tsvector,
  add column search_categories text[],
  add column search_ready boolean not null default false;

-- A version's searchable text: about (its summary and contributing factors)
-- and detail (its other sections and its timeline), Markdown stripped,
-- bounded; and its factors' categories.
create function postmortem_version_search_texts(snap jsonb, out about text, out detail text, out categories text[])
language sql immutable as $$
  select
    incident_search_plain(left(concat_ws(E'\n',
      nullif(snap #>> '{sections,summary}', ''),
      (select string_agg(f ->> 'description', E'\n') from jsonb_array_elements(coalesce(snap -> 'factors', '[]'::jsonb)) f)), 10000)),
    incident_search_plain(left(concat_ws(E'\n',
      (select string_agg(s.value, E'\n' order by s.key) from jsonb_each_text(coalesce(snap -> 'sections', '{}'::jsonb)) s
        where s.key <> 'summary' and s.value <> ''),
      (select string_agg(e ->> 'text', E'\n' order by e ->> 'at') from jsonb_array_elements(coalesce(snap -> 'timeline', '[]'::jsonb)) e)), 50000)),
    (select coalesce(array_agg(distinct f ->> 'category'), '{}')
       from jsonb_array_elements(coalesce(snap -> 'factors', '[]'::jsonb)) f where f ->> 'category' is not null)
$$;

create or replace function incident_search_refresh(target text) returns void
language plpgsql as $$
declare
  inc record;
  ver record;
  snap jsonb;
  title_text text;
  own_about text;
  items_text text;
  version_about text;
  version_detail text;
  version_about_vector tsvector;
  version_detail_vector tsvector;
  cats text[];
begin
  select i.number, i.severity, i.services, i.private, i.drill, i.started_at, i.title, i.public_title, i.summary
    into inc from incidents i where i.id = target;
  if not found then
    return;
  end if;
  -- The snapshot itself is read only when the version's pieces are not ready (a variable holding it reads it whole).
  select v.version, v.search_ready, v.search_about_text, v.search_detail_text, v.search_about, v.search_detail, v.search_categories
    into ver from postmortem_versions v where v.incident_id = target order by v.version desc limit 1;
  if found and ver.search_ready then
    version_about := ver.search_about_text;
    version_detail := ver.search_detail_text;
    version_about_vector := ver.search_about;
    version_detail_vector := ver.search_detail;
    cats := ver.search_categories;
  elsif found then
    select v.snapshot into snap from postmortem_versions v where v.incident_id = target and v.version = ver.version;
    select t.about, t.detail, t.categories into version_about, version_detail, cats from postmortem_version_search_texts(snap) t;
    version_about_vector := setweight(to_tsvector('english'::regconfig, version_about), 'B');
    version_detail_vector := setweight(to_tsvector('english'::regconfig, version_detail), 'C');
  end if;
  title_text := incident_search_clean(inc.title || ' ' || coalesce(inc.public_title, ''));
  own_about := incident_search_plain(left(coalesce(inc.summary, ''), 10000));
  items_text := incident_search_plain(left(
    (select string_agg(a.title || ' ' || a.problem_category, E'\n' order by a.created_at) from action_items a where a.incident_id = target), 10000));

  insert into incident_search (incident_id, number, severity, services, private, drill, started_at, document, categories, published_version, body, updated_at)
  values (
    target, inc.number, inc.severity, inc.services, inc.private, inc.drill, inc.started_at,
    setweight(to_tsvector('english'::regconfig, title_text), 'A')
      || setweight(to_tsvector('english'::regconfig, own_about), 'B')
      || coalesce(version_about_vector, ''::tsvector)
      || coalesce(version_detail_vector, ''::tsvector)
      || setweight(to_tsvector('english'::regconfig, coalesce(items_text, '')), 'C'),
    coalesce(cats, '{}'),
    ver.version,
    concat_ws(E'\n', nullif(own_about, ''), nullif(version_about, ''), nullif(version_detail, ''), nullif(items_text, '')),
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
