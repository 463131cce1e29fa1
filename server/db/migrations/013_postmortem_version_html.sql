-- Published postmortems are rendered once, when published, instead of on
-- every read (a large one made every GET of it stall the server). Rows
-- published before this are rendered once at start-up
-- (server/postmortem/version-html.ts); until then they are null.
alter table postmortem_versions add column html text;
