-- A document's snapshot becomes an ordered list of segments instead of one
-- merged state. Each compaction appends segments built from the log rows it
-- covers (merged, each of bounded size) rather than rewriting the whole
-- document, so compacting, loading and sending a large document can be done
-- piece by piece without stalling the server. A row covers the log up to its
-- `covers_seq`; a document is its segments in `covers_seq` order, then the log
-- rows after the last one. The single snapshot of older versions is simply
-- the first segment.
alter table document_snapshots drop constraint document_snapshots_pkey;
alter table document_snapshots add primary key (doc_id, covers_seq);
