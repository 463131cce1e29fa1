-- Outbound webhooks: endpoints admins configure, and a delivery outbox that
-- the delivery worker drains (it survives restarts because it is a table).
create table webhook_endpoints (
  id text primary key,
  name text not null check (length(name) between 1 and 100),
  url text not null check (url ~* '^https?://'),
  audiences text[] not null
    check (cardinality(audiences) > 0 and audiences <@ array['responders', 'support', 'leadership', 'public']::text[]),
  format text not null check (format in ('slack', 'json')),
  -- Kept in clear because HMAC needs the key itself. The API shows it once, at
  -- creation or rotation, and never in listings.
  secret text not null,
  active boolean not null default true,
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per (endpoint, published update). update_id has no foreign key: test
-- sends use synthetic ids, and published updates live in another module's table.
-- For a row in 'delivering', next_attempt_at is the lease expiry: a worker that
-- died mid-send leaves the row to be claimed again once it passes.
create table webhook_deliveries (
  id text primary key,
  endpoint_id text not null references webhook_endpoints (id) on delete cascade,
  update_id text not null,
  -- What the log shows, e.g. "INC-42 · leadership".
  summary text not null default '',
  -- Frozen at enqueue time, so a retry sends exactly what the first attempt sent.
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivering', 'delivered', 'failed')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_status_code int,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  unique (endpoint_id, update_id)
);
create index webhook_deliveries_due_idx on webhook_deliveries (status, next_attempt_at);
create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc);
