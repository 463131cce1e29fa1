-- Live collaborative documents (Yjs) and their durable history.
--
-- Storage model:
--   document_updates    the replay log: every change the server accepted, committed
--                       before anyone else saw it. Loading a document = its snapshot
--                       + the log rows after `covers_seq`.
--   document_snapshots  one merged Yjs state per document, covering the log up to
--                       `covers_seq`. Compaction writes it and deletes the covered log
--                       rows in one transaction.
--   document_history    per-update attribution that outlives compaction. Compaction
--                       moves each covered log row here minus its bytes: who, when,
--                       how big, and which Yjs ids it inserted and deleted
--                       (`ids` = {"i": {client: [fromClock, toClock]}, "d": {client: [[clock, len], …]}}).
--                       With those ranges any character in the document can be traced
--                       to the user and time that wrote or deleted it, and because the
--                       server keeps deleted content (Y.Doc gc disabled) a past version
--                       can be rebuilt as Y.snapshot(stateVector, deleteSet) from the
--                       ranges up to a given seq. The full change list of a document
--                       is history ∪ updates, ordered by seq.
create table documents (
  id text primary key,
  kind text not null,
  created_at timestamptz not null default now()
);

create table document_updates (
  doc_id text not null references documents (id) on delete cascade,
  seq bigint generated always as identity,
  update bytea not null,
  -- null: written by the server itself (automatic entries), not by a person.
  user_id text references users (id) on delete set null,
  -- The application server's clock when the update arrived.
  created_at timestamptz not null default now(),
  ids jsonb not null,
  primary key (doc_id, seq)
);

create table document_snapshots (
  doc_id text primary key references documents (id) on delete cascade,
  state bytea not null,
  covers_seq bigint not null,
  created_at timestamptz not null default now()
);

create table document_history (
  doc_id text not null references documents (id) on delete cascade,
  seq bigint not null,
  user_id text references users (id) on delete set null,
  created_at timestamptz not null,
  bytes int not null,
  ids jsonb not null,
  primary key (doc_id, seq)
);
