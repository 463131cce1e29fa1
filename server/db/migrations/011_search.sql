-- Knowledge-base search: one row per incident holding a weighted tsvector of
-- everything worth finding later, kept current by triggers so no command,
-- publication or action-item change has to remember to reindex.
--
-- Language 'english': responders write prose, and stemming lets "timeouts"
-- find "timeout" and "failing" find "failed". Service names and error codes are
-- stemmed the same way on both sides of the match, so they still match;
-- 'simple' would miss every plural and tense, which is most of the real misses.
--
-- Weights: A = title (and the public title), B = what the incident was about
-- (its summary, the published postmortem's summary and contributing factors),
-- C = the detail (the postmortem's other sections, its timeline, action items).
create table incident_search (
  incident_id text primary key references incidents (id) on delete cascade,
  -- Copies of the incident's filter and order columns, so a search reads one
  -- table and joins incidents only for the page it returns.
  number int not null,
  severity int not null,
  services text[] not null,
  private boolean not null,
  drill boolean not null,
  started_at timestamptz not null,
  document tsvector not null,
  -- Contributing-factor categories of the latest published postmortem (category filter).
  categories text[] not null default '{}',
  -- Latest published postmortem version; null while none is published.
  published_version int,
  -- The B and C text, kept for ts_headline: snippets are cut from what matched.
  -- Control characters are stripped because the highlight markers are \x02/\x03.
  body text not null default '',
  updated_at timestamptz not null default now()
);
-- fastupdate off: with the default pending list, rows refreshed one by one
-- pile up unindexed until a vacuum (PGlite never runs one), every search scans
-- that list, and the planner, pricing it in, falls back to a sequential scan.
-- Index writes happen once per incident change; reads are what must be fast.
create index incident_search_document_idx on incident_search using gin (document) with (fastupdate = off);
create index incident_search_categories_idx on incident_search using gin (categories) with (fastupdate = off);
create index incident_search_started_idx on incident_search (started_at desc, number desc);

create function incident_search_clean(value text) returns text
language sql immutable as $$
  select regexp_replace(coalesce(value, ''), '[\x01-\x08\x0b\x0c\x0e-\x1f]', ' ', 'g')
$$;

-- Postmortem sections are Markdown: headings, emphasis and list markers would
-- show up in snippets as noise ("### Confirmed", "**Impact:**"). Words stay.
create function incident_search_plain(value text) returns text
language sql immutable as $$
  select regexp_replace(regexp_replace(regexp_replace(incident_search_clean(value),
    '(^|\n)[ \t]*(#{1,6}|>|[-*+]|\d+\.)[ \t]+', '\1', 'g'),
    '(\*\*|__|`)', '', 'g'),
    '\[([^]]*)\]\([^)]*\)', '\1', 'g')
$$;

create function incident_search_refresh(target text) returns void
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
  about_text := incident_search_plain(concat_ws(E'\n',
    nullif(inc.summary, ''),
    nullif(snap #>> '{sections,summary}', ''),
    (select string_agg(f ->> 'description', E'\n') from jsonb_array_elements(coalesce(snap -> 'factors', '[]'::jsonb)) f)));
  detail_text := incident_search_plain(concat_ws(E'\n',
    (select string_agg(s.value, E'\n' order by s.key) from jsonb_each_text(coalesce(snap -> 'sections', '{}'::jsonb)) s
      where s.key <> 'summary' and s.value <> ''),
    (select string_agg(e ->> 'text', E'\n' order by e ->> 'at') from jsonb_array_elements(coalesce(snap -> 'timeline', '[]'::jsonb)) e),
    (select string_agg(a.title || ' ' || a.problem_category, E'\n' order by a.created_at) from action_items a where a.incident_id = target)));
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

create function incident_search_on_incident() returns trigger
language plpgsql as $$
begin
  perform incident_search_refresh(new.id);
  return null;
end
$$;

create function incident_search_on_child() returns trigger
language plpgsql as $$
begin
  perform incident_search_refresh(new.incident_id);
  return null;
end
$$;

create trigger incident_search_insert after insert on incidents
  for each row execute function incident_search_on_incident();
create trigger incident_search_update
  after update of title, public_title, summary, severity, services, private, drill, started_at on incidents
  for each row
  when (old.title is distinct from new.title or old.public_title is distinct from new.public_title or old.summary is distinct from new.summary
    or old.severity is distinct from new.severity or old.services is distinct from new.services or old.private is distinct from new.private
    or old.drill is distinct from new.drill or old.started_at is distinct from new.started_at)
  execute function incident_search_on_incident();
create trigger incident_search_postmortem after insert on postmortem_versions
  for each row execute function incident_search_on_child();
create trigger incident_search_action_item after insert or update of title, problem_category on action_items
  for each row execute function incident_search_on_child();

-- Incidents that existed before this migration.
select incident_search_refresh(id) from incidents;
