-- API tokens. A service token acts as its own service account: a
-- users row with kind 'service', so incidents and timeline entries it creates
-- have an author. Service accounts get the password hash '!', which no
-- password verifies (the Unix convention for a locked account), and an email
-- on the reserved .invalid domain, so nobody can log in as one.
alter table users add column kind text not null default 'person' check (kind in ('person', 'service'));

-- The token a client holds is "wr_<id>_<secret>"; only SHA-256(secret) is
-- stored, so a leaked table cannot be replayed as tokens.
create table api_tokens (
  id text primary key,
  -- What lists show so people recognise a token ("wr_<id>"); not secret.
  prefix text not null,
  secret_hash bytea not null,
  name text not null check (length(name) between 1 and 80),
  scopes text[] not null
    check (cardinality(scopes) > 0
      and scopes <@ array['incidents:read', 'incidents:write', 'alerts:write', 'updates:publish']::text[]),
  kind text not null check (kind in ('personal', 'service')),
  -- Whose permissions the token carries: the creator for personal tokens, the service account for service tokens.
  user_id text not null references users (id) on delete cascade,
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  -- Written at most once a minute per token, not on every request.
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by text references users (id)
);
create index api_tokens_user_id_idx on api_tokens (user_id);
