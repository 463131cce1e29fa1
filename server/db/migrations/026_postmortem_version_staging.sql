-- A publication's large texts (the snapshot, its Markdown and HTML) are
-- written here before the publishing transaction opens, and moved into
-- postmortem_versions inside it.
--
-- With embedded PGlite a transaction holds the only connection, so every war
-- room's commits wait for the publishing one. Writing a postmortem at its size
-- limits (1.3 MB in each of the three) inside it took 20 ms of PostgreSQL's
-- work (the JSON parsed into jsonb, the values received and stored) on top of
-- 7–9 ms of encoding them, and the whole transaction held the database for
-- 40–58 ms. Moving the row from here is a copy of stored values (nothing
-- parsed or compressed again), so the transaction is shorter, and the
-- statements that write this row hold the database only while each runs,
-- between other queries: one per text (the snapshot inserted, then the
-- Markdown and the HTML set), as an update keeps the texts already stored.
--
-- A row here is in flight: it is deleted by the transaction that moves it, or
-- by the publication that failed; one left by a crash is deleted at the next
-- start once it is an hour old (another server may be publishing it now).
create table postmortem_version_staging (
  id bigint generated always as identity primary key,
  incident_id text not null references incidents (id) on delete cascade,
  snapshot jsonb not null,
  markdown text,
  html text,
  created_at timestamptz not null default now()
);
-- Uncompressed, like the versions they become (see 022): nothing to compress now or to decompress when moved.
alter table postmortem_version_staging
  alter column snapshot set storage external,
  alter column markdown set storage external,
  alter column html set storage external;
