-- Public status page per incident: /status/<public_slug> shows the public title,
-- the state and the public audience's published updates, with no login.
alter table incidents
  -- Minted the first time the page goes public and kept afterwards, so links and
  -- feed subscriptions survive taking the page down and putting it back.
  add column public_slug text unique
    check (public_slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(public_slug) <= 80),
  -- What the public sees instead of the internal title; copied from the title
  -- when first made public, so later internal renames never leak.
  add column public_title text check (length(public_title) between 1 and 200),
  -- Null = not public.
  add column public_since timestamptz,
  add constraint incidents_public_page_complete
    check (public_since is null or (public_slug is not null and public_title is not null));

create index incidents_public_since_idx on incidents (public_since) where public_since is not null;
