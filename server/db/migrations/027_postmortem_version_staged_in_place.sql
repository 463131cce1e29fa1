-- A publication's large texts are written ahead of its transaction into the
-- row that becomes the version, under a negative version number, and the
-- transaction gives that row its number: nothing is copied while it holds the
-- database.
--
-- They were written into a staging table and moved into postmortem_versions
-- inside the transaction (026). A move still copies every stored value: the
-- 2 MB of a postmortem at its size limits (its snapshot, Markdown and HTML)
-- read out of one table's out-of-line storage and written into the other's,
-- 10-27 ms of a statement on embedded PGlite, where every war room's commits
-- wait for a transaction; a keystroke arriving as it began waited 50-110 ms.
-- An update that leaves a value alone keeps the value where it is stored, so
-- renumbering the staged row costs the same whatever its size.
--
-- The rows live in postmortem_version_rows; postmortem_versions is the view
-- of the published ones (version > 0), which is what every reader, the search
-- functions included, goes on reading and updating. A view lists its table's
-- columns as they were when it was made: a migration adding a column to the
-- table makes the view again.
alter table postmortem_versions rename to postmortem_version_rows;
alter table postmortem_version_rows
  drop constraint postmortem_versions_version_check,
  add constraint postmortem_version_rows_version_check check (version <> 0);

create view postmortem_versions as
  select * from postmortem_version_rows where version > 0;

-- Staged rows are numbered -1, -2, ... (unique with the incident in the primary key whatever the incident).
create sequence postmortem_version_staged as integer;

-- Texts staged there belong to publications still running the old code (stage and move are one request): such a
-- publication fails, and publishing again works.
drop table postmortem_version_staging;
