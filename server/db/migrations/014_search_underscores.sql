-- PostgreSQL's text-search parser takes quadratic time on long runs of
-- underscore-joined words ("_a_a_a…": 50,000 characters took 14 s on
-- PostgreSQL and over a minute in PGlite, which runs in the server's own
-- thread and stalls every request). A postmortem section may be 50,000
-- characters, so publishing one could freeze the server. The parser treats
-- "_" as a separator anyway, so turning it into a space finds the same words.
create or replace function incident_search_clean(value text) returns text
language sql immutable as $$
  select translate(regexp_replace(coalesce(value, ''), '[\x01-\x08\x0b\x0c\x0e-\x1f]', ' ', 'g'), '_', ' ')
$$;
