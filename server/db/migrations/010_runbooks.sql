-- Runbooks: what whoever last debugged a service wrote down for the next
-- responder. Plain Markdown edited by one person at a time (not a live
-- document), so every save is a numbered version with its author, and a save
-- based on an older version is refused rather than silently overwriting.
create table runbooks (
  id text primary key,
  -- Stable, readable handle for links ("payments-db-failover"); unique.
  slug text not null unique,
  title text not null check (length(title) between 1 and 200),
  -- Same free tags as incidents.services: trimmed and lowercased by the application.
  services text[] not null default '{}',
  failure_mode text not null default '',
  owner_id text references users (id),
  body text not null default '',
  -- The latest version number; equals max(runbook_versions.version).
  version int not null default 1 check (version >= 1),
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index runbooks_services_idx on runbooks using gin (services);

-- Never updated: the history and diffs read these as written.
create table runbook_versions (
  runbook_id text not null references runbooks (id) on delete cascade,
  version int not null check (version >= 1),
  title text not null,
  body text not null,
  author_id text references users (id),
  -- The author's name at the time, so history reads the same after renames.
  author_name text not null,
  note text not null default '',
  at timestamptz not null default now(),
  primary key (runbook_id, version)
);

-- "Used in INC-42" / "verified in INC-42": a runbook earns trust by being
-- followed during real incidents; a 'verified' stamp resets the stale clock.
create table runbook_uses (
  id bigint generated always as identity primary key,
  runbook_id text not null references runbooks (id) on delete cascade,
  incident_id text not null references incidents (id) on delete cascade,
  kind text not null check (kind in ('used', 'verified')),
  by_id text references users (id),
  at timestamptz not null default now()
);
create index runbook_uses_runbook_idx on runbook_uses (runbook_id, kind, at desc);
create index runbook_uses_incident_idx on runbook_uses (incident_id);
