-- Stakeholder communications: templates admins edit, the immutable record of
-- every published update, and per-incident cadence overrides.

-- One template per audience and optional severity (null = any severity). A
-- missing row falls back to the defaults shipped in server/comms/templates.ts.
create table comm_templates (
  audience text not null check (audience in ('responders', 'support', 'leadership', 'public')),
  severity int check (severity between 1 and 4),
  body text not null check (length(body) <= 20000),
  updated_by text references users (id),
  updated_at timestamptz not null default now(),
  unique nulls not distinct (audience, severity)
);

-- Never updated or deleted by the application: what was sent stays as sent.
-- Title, severity and author name are copied so history reads the same after renames.
create table published_updates (
  id text primary key,
  incident_id text not null references incidents (id) on delete cascade,
  audience text not null check (audience in ('responders', 'support', 'leadership', 'public')),
  body_markdown text not null,
  body_html text not null,
  author_id text references users (id),
  author_name text not null,
  published_at timestamptz not null default now(),
  incident_state text not null,
  incident_title text not null,
  severity int not null check (severity between 1 and 4),
  -- Chosen by the client per draft version; scoped to the incident so a key
  -- seen on one incident can never return another incident's update.
  idempotency_key text not null check (length(idempotency_key) between 8 and 200),
  unique (incident_id, idempotency_key)
);
create index published_updates_history_idx on published_updates (incident_id, audience, published_at desc);

-- Overrides of the default update interval; no row = the severity's default,
-- a row with a null interval = no timer (updates only when the state changes).
create table incident_cadence (
  incident_id text not null references incidents (id) on delete cascade,
  audience text not null check (audience in ('responders', 'support', 'leadership', 'public')),
  interval_minutes int check (interval_minutes between 1 and 1440),
  updated_by text references users (id),
  updated_at timestamptz not null default now(),
  primary key (incident_id, audience)
);
