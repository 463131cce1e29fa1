-- Alerts from monitoring: routing rules, the alerts themselves
-- (deduplicated by source + fingerprint) and which incidents a rule declared.

-- Ordered by position; the first rule whose matchers all equal the alert's labels wins.
create table alert_rules (
  id text primary key,
  name text not null check (length(name) between 1 and 100),
  position int not null,
  -- [{"key": "severity", "value": "critical"}, …]; an empty list matches every alert.
  matchers jsonb not null default '[]',
  action text not null check (action in ('attach', 'declare', 'inbox')),
  -- The severity a declare rule gives its incidents; null for the other actions.
  severity int check (severity between 1 and 4),
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((action = 'declare') = (severity is not null))
);
create index alert_rules_position_idx on alert_rules (position, created_at);

create table alerts (
  id text primary key,
  -- 'alertmanager', or the generic form's own source ('grafana', 'datadog', …).
  source text not null,
  fingerprint text not null,
  status text not null check (status in ('firing', 'resolved')),
  name text not null,
  summary text not null default '',
  severity text,
  service text,
  labels jsonb not null default '{}',
  url text,
  -- Alertmanager's groupKey, or the service for generic alerts: alerts of one
  -- group end up in the one incident a declare rule opened for it.
  group_key text not null,
  starts_at timestamptz not null,
  ends_at timestamptz,
  -- Firing notifications received, repeats included.
  count int not null default 1,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  resolved_at timestamptz,
  -- The incident the alert is in now; null while it waits in the inbox.
  incident_id text references incidents (id) on delete set null,
  unique (source, fingerprint)
);
create index alerts_inbox_idx on alerts (last_seen_at desc) where incident_id is null and status = 'firing';

-- Every incident an alert was ever in: an alert firing again after its incident
-- ended lands in a new one, and the old incident still lists it.
create table alert_incidents (
  alert_id text not null references alerts (id) on delete cascade,
  incident_id text not null references incidents (id) on delete cascade,
  -- The rule that routed it; null when a person declared from the inbox.
  rule_id text references alert_rules (id) on delete set null,
  attached_at timestamptz not null default now(),
  primary key (alert_id, incident_id)
);
create index alert_incidents_incident_idx on alert_incidents (incident_id);

-- Incidents a declare rule opened, so concurrent deliveries of one group find
-- the incident instead of declaring a second one.
create table alert_declarations (
  incident_id text primary key references incidents (id) on delete cascade,
  rule_id text references alert_rules (id) on delete set null,
  group_key text not null
);
create index alert_declarations_group_idx on alert_declarations (rule_id, group_key);
