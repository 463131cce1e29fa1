-- Document snapshots are stored uncompressed (still out of line).
--
-- The replay reads a large snapshot in slices, so that no single query holds
-- the process for long (with embedded PGlite every query runs on the main
-- thread). Slicing a compressed value decompresses everything before the
-- slice each time: for a 35 MB snapshot, ~200 ms per slice and quadratic in
-- total; uncompressed, each 256 KB slice costs ~20 ms. Snapshots take more
-- disk (a few times more for large documents; small ones are tiny either
-- way). Existing snapshots switch at their next compaction.
alter table document_snapshots alter column state set storage external;
