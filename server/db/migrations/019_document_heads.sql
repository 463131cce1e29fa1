-- Several processes may commit changes to the same document (cluster mode).
-- Each change gets a per-document sequence number, `doc_seq`, from the
-- document's row in `document_heads`: the row is locked by the committing
-- statement until it commits, so the numbers of one document are consecutive
-- in commit order. A process that sees a number missing knows it lost a
-- message and reads the log after its last one. Compaction locks the same row,
-- so it never runs beside a commit of that document and never moves a log row
-- another process is still writing. Rows written by one process alone (PGlite,
-- or before cluster mode) have no `doc_seq`; nothing needs one there.
create table document_heads (
  doc_id text primary key references documents (id) on delete cascade,
  seq bigint not null
);

alter table document_updates add column doc_seq bigint;
create unique index document_updates_doc_seq on document_updates (doc_id, doc_seq) where doc_seq is not null;
