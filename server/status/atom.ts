/**
 * The Atom 1.0 feed of one public status page (RFC 4287): one entry per public
 * update, content as escaped HTML. Ids are urn:uuid URIs derived from our own
 * ids, so they stay the same if the site moves to another host name.
 */
import { createHash } from 'node:crypto';
import { escapeText, publicStateLabel } from './markup.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { PublicIncident, PublicUpdate } from './repo.ts';

/** A name-based UUID (version 8, RFC 9562) from SHA-256 of `name`. */
export function uuidFor(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const feedId = (slug: string) => `urn:uuid:${uuidFor(`warroom:status-page:${slug}`)}`;
/** Published updates keep their own UUID when they have one. */
export const entryId = (updateId: string) => `urn:uuid:${UUID.test(updateId) ? updateId.toLowerCase() : uuidFor(`warroom:published-update:${updateId}`)}`;

// RFC 3339 without milliseconds: every feed reader parses that.
const stamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `origin` is the site's public origin ("https://status.example.com"), for the absolute links feeds need. */
export function renderAtomFeed(incident: PublicIncident, updates: readonly PublicUpdate[], origin: string): string {
  const page = `${origin}/status/${incident.slug}`;
  const x = escapeText;
  const entries = updates.map(
    (update) => `  <entry>
    <id>${entryId(update.id)}</id>
    <title>${x(`${publicStateLabel(update.state)}: ${incident.title}`)}</title>
    <link rel="alternate" type="text/html" href="${x(`${page}#update-${update.id}`)}"/>
    <published>${stamp(update.publishedAt)}</published>
    <updated>${stamp(update.publishedAt)}</updated>
    <summary>${x(`${publicStateLabel(update.state)} · ${formatUtcDateTime(update.publishedAt)}`)}</summary>
    <content type="html">${x(update.bodyHtml)}</content>
  </entry>
`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${feedId(incident.slug)}</id>
  <title>${x(incident.title)}</title>
  <subtitle>${x(`Status: ${publicStateLabel(incident.state)}`)}</subtitle>
  <updated>${stamp(incident.changedAt)}</updated>
  <author><name>${x(`${new URL(origin).host} status`)}</name></author>
  <link rel="self" type="application/atom+xml" href="${x(`${page}/feed.atom`)}"/>
  <link rel="alternate" type="text/html" href="${x(page)}"/>
${entries.join('')}</feed>
`;
}
