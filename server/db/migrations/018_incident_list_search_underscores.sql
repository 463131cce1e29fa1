-- The incident list's word search indexed title and summary with the raw
-- text-search parser, which is quadratic on underscore-joined runs ("_a_a…":
-- a 5,000-character summary took over a second, in PGlite in the server's own
-- thread, at every declare or edit and at every list search that scanned).
-- The knowledge-base index already cleans its text (incident_search_clean);
-- this one now does too. The list query uses the same expression, so it is
-- answered from this index.
drop index incidents_search_idx;
create index incidents_search_idx on incidents
  using gin (to_tsvector('simple'::regconfig, incident_search_clean(title || ' ' || summary)));
