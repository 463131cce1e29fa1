-- Tabletop exercises: scenarios (versioned Markdown, like runbooks), the runs
-- of them, and what only the facilitator sees. The hidden answer and the
-- facilitator's observations live here, never in the incident's live
-- document, which everyone in the war room can read.

create table drill_scenarios (
  id text primary key,
  slug text not null unique,
  -- The shipped scenario file this row was seeded from, so start-up seeds each once
  -- and never brings back one the team renamed or rewrote.
  builtin text unique,
  title text not null check (length(title) between 1 and 200),
  -- Front matter + Markdown (server/drills/scenario.ts); parsed before every save.
  body text not null check (length(body) <= 50000),
  version int not null default 1 check (version >= 1),
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Never updated: a run keeps pointing at the version it was started from.
create table drill_scenario_versions (
  scenario_id text not null references drill_scenarios (id) on delete cascade,
  version int not null check (version >= 1),
  title text not null,
  body text not null,
  author_id text references users (id),
  author_name text not null,
  note text not null default '',
  at timestamptz not null default now(),
  primary key (scenario_id, version)
);

create table drill_runs (
  id text primary key,
  scenario_id text not null references drill_scenarios (id),
  scenario_version int not null,
  -- The drill incident the team works in (incidents.drill is true).
  incident_id text not null unique references incidents (id) on delete cascade,
  facilitator_id text not null references users (id),
  started_at timestamptz not null,
  -- [{"from": iso, "to": iso | null}]: the facilitator held the drill clock (server/drills/clock.ts).
  pauses jsonb not null default '[]',
  ended_at timestamptz,
  -- The card the facilitator pointed at as the correct hypothesis, when the
  -- scenario's match phrases do not find the team's wording.
  correct_hypothesis_id text,
  -- Debrief answers: did the expected runbook help?
  runbook_helped text check (runbook_helped in ('yes', 'partly', 'no')),
  runbook_note text not null default '' check (length(runbook_note) <= 2000),
  foreign key (scenario_id, scenario_version) references drill_scenario_versions (scenario_id, version)
);
create index drill_runs_running_idx on drill_runs (started_at) where ended_at is null;
create index drill_runs_facilitator_idx on drill_runs (facilitator_id);

-- One row per inject released; the key is the inject's in the run's scenario version.
create table drill_releases (
  run_id text not null references drill_runs (id) on delete cascade,
  inject_key text not null,
  released_at timestamptz not null default now(),
  -- null: released by the schedule.
  released_by text references users (id),
  -- For alerts: the alert row and what routing decided (server/drills/drill-routing.ts).
  delivery jsonb not null default '{}',
  primary key (run_id, inject_key)
);

create table drill_observations (
  id text primary key,
  run_id text not null references drill_runs (id) on delete cascade,
  author_id text not null references users (id),
  at timestamptz not null default now(),
  text text not null check (length(text) between 1 and 5000)
);
create index drill_observations_run_idx on drill_observations (run_id, at);

-- When each responder first opened a runbook during the drill: the debrief
-- asks whether the expected runbook was found.
create table drill_runbook_opens (
  run_id text not null references drill_runs (id) on delete cascade,
  runbook_id text not null references runbooks (id) on delete cascade,
  user_id text not null references users (id),
  at timestamptz not null default now(),
  primary key (run_id, runbook_id, user_id)
);

-- Action items come from postmortems, drill debriefs and process reviews;
-- origin_id is the drill run or the review the item was found in.
alter table action_items add column origin text not null default 'postmortem'
  check (origin in ('postmortem', 'debrief', 'review'));
alter table action_items add column origin_id text;
create index action_items_origin_idx on action_items (origin, origin_id);
