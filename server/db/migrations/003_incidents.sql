-- Incidents: the relational, authoritative record (the live document holds the board and timeline).
create sequence incident_number_seq;

create table incidents (
  id text primary key,
  -- The human number in "INC-42"; a sequence, so numbers are never reused even after a rollback.
  number int not null unique default nextval('incident_number_seq'),
  title text not null check (length(title) between 1 and 200),
  severity int not null check (severity between 1 and 4),
  state text not null default 'investigating'
    check (state in ('investigating', 'identified', 'monitoring', 'resolved', 'closed')),
  summary text not null default '',
  -- Free tags, stored lowercased and trimmed by the application.
  services text[] not null default '{}',
  private boolean not null default false,
  drill boolean not null default false,
  declared_by text references users (id),
  commander_id text references users (id),
  scribe_id text references users (id),
  communicator_id text references users (id),
  started_at timestamptz not null,
  detected_at timestamptz,
  declared_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  mitigated_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  -- The war-room Yjs document ("incident-<id>"); no foreign key so the
  -- relational record does not depend on how collaboration stores documents.
  doc_id text not null unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter sequence incident_number_seq owned by incidents.number;

create index incidents_state_idx on incidents (state);
create index incidents_severity_idx on incidents (severity);
create index incidents_declared_at_idx on incidents (declared_at desc);
create index incidents_services_idx on incidents using gin (services);
-- Word-prefix search on title + summary; the same expression is used by the list query.
create index incidents_search_idx on incidents
  using gin (to_tsvector('simple'::regconfig, title || ' ' || summary));

create table incident_participants (
  incident_id text not null references incidents (id) on delete cascade,
  user_id text not null references users (id),
  kind text not null check (kind in ('responder', 'observer')),
  joined_at timestamptz not null default now(),
  added_by text references users (id),
  primary key (incident_id, user_id)
);
create index incident_participants_user_idx on incident_participants (user_id);

-- One row per change: who (null = the system), what, old → new values and the
-- display names at the time, so history reads the same after people rename.
create table incident_events (
  id bigint generated always as identity primary key,
  incident_id text not null references incidents (id) on delete cascade,
  actor_id text references users (id),
  kind text not null,
  data jsonb not null default '{}',
  at timestamptz not null default now()
);
create index incident_events_incident_idx on incident_events (incident_id, id);
