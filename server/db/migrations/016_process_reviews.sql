-- Process reviews: the last few incidents read together, asking when the team
-- had the right hypothesis and what held the fix up. Saved with the incidents
-- chosen, the reviewer's notes and, per incident, where the delay sat; the
-- findings are action items (origin 'review').
create table process_reviews (
  id text primary key,
  title text not null check (length(title) between 1 and 200),
  -- The filters the incidents were picked with: {"count", "severity", "service"}.
  filters jsonb not null default '{}',
  -- Frozen when saved, so the review reads the same after newer incidents arrive.
  incident_ids text[] not null,
  notes text not null default '' check (length(notes) <= 20000),
  -- {"<incident id>": {"delay": "escalation" | …, "note": "…"}}
  delays jsonb not null default '{}',
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index process_reviews_created_idx on process_reviews (created_at desc);

-- When the confirmed hypothesis was first written and confirmed, read from the
-- war room's change history (server/process-review/board-history.ts). Derived
-- and safe to drop: recomputed whenever the document has changed since (doc_seq).
create table hypothesis_times (
  incident_id text primary key references incidents (id) on delete cascade,
  doc_seq bigint not null,
  hypothesis_id text,
  statement text,
  first_written_at timestamptz,
  confirmed_at timestamptz,
  computed_at timestamptz not null default now()
);
