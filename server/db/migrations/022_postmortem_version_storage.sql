-- A published postmortem version's text is stored uncompressed (still out of
-- line), like the replay log.
--
-- With embedded PGlite every statement runs on the server's own thread, and
-- compressing a version on insert is work no other request can run beside:
-- publishing a postmortem of 1.3 MB (its snapshot, Markdown and HTML) held
-- the database for 96–123 ms, while every war room's commits waited. A
-- version is written once and read rarely, and most are a few kilobytes,
-- where the disk it takes does not matter. Existing rows keep their
-- compression.
alter table postmortem_versions
  alter column snapshot set storage external,
  alter column markdown set storage external,
  alter column html set storage external;
