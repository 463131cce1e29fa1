-- Postmortems: the review's lifecycle and its published, frozen versions.
-- The draft itself is a live Yjs document ("postmortem-<incident id>", stored
-- like every other document); these rows say where it stands and keep what
-- was published exactly as published.
create table postmortems (
  incident_id text primary key references incidents (id) on delete cascade,
  doc_id text not null unique,
  state text not null default 'draft' check (state in ('draft', 'in_review', 'published')),
  -- Drafted while memory is fresh: defaults to resolution + POSTMORTEM_REVIEW_DAYS (3).
  review_due_at timestamptz not null,
  generated_at timestamptz not null default now(),
  submitted_at timestamptz,
  submitted_by text references users (id),
  published_at timestamptz,
  published_by text references users (id),
  -- Number of published versions; 0 until the first publication.
  version int not null default 0,
  updated_at timestamptz not null default now()
);
create index postmortems_due_idx on postmortems (state, review_due_at);

-- Never updated: what was published stays as published. The snapshot is the
-- document read at that moment (PostmortemContent in server/shared/postmortem-doc.ts).
create table postmortem_versions (
  incident_id text not null references incidents (id) on delete cascade,
  version int not null check (version >= 1),
  snapshot jsonb not null,
  markdown text not null,
  published_at timestamptz not null default now(),
  published_by text references users (id),
  published_by_name text not null,
  primary key (incident_id, version)
);

-- Follow-through lives here, not in the document: once published, an action
-- item is tracked to done by its owner whatever happens to the draft.
create table action_items (
  id text primary key,
  incident_id text not null references incidents (id) on delete cascade,
  -- The item's id in the postmortem document, so publishing again updates
  -- the row instead of creating a second one.
  source_key text not null,
  title text not null check (length(title) between 1 and 300),
  owner_id text references users (id),
  due_date date,
  kind text not null check (kind in ('immediate', 'structural')),
  priority text not null check (priority in ('p1', 'p2', 'p3')),
  -- Structural items: what category of problem this exposes (seed 000).
  problem_category text not null default '',
  status text not null default 'open' check (status in ('open', 'in_progress', 'done', 'wont_do')),
  done_at timestamptz,
  done_by text references users (id),
  done_note text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (incident_id, source_key)
);
create index action_items_owner_idx on action_items (owner_id, status);
create index action_items_due_idx on action_items (status, due_date);
