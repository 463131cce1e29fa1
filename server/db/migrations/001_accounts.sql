-- Accounts, sessions and invites (Lucia session pattern).
create table users (
  id text primary key,
  email text not null,
  display_name text not null,
  password_hash text not null,
  role text not null default 'member' check (role in ('admin', 'member')),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  deactivated_at timestamptz
);
create unique index users_email_key on users (lower(email));

-- The token a browser holds is "<id>.<secret>"; only SHA-256(secret) is stored,
-- so a leaked table cannot be replayed as cookies.
create table sessions (
  id text primary key,
  secret_hash bytea not null,
  user_id text not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now(),
  user_agent text,
  ip text
);
create index sessions_user_id_idx on sessions (user_id);

create table invites (
  id text primary key,
  token_hash bytea not null unique,
  email text,
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  used_by text references users (id),
  revoked_at timestamptz
);
