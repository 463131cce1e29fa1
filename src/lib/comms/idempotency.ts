/**
 * The idempotency key for publishing one version of a draft: a hash of the
 * incident, audience, the text and the latest update already published for
 * that audience. A double click, or two communicators pressing Publish on the
 * same draft, send the same key and get one update; after a publish the
 * latest update changes, so the same text can be published again later.
 * Not a secret; a plain hash works where crypto.subtle does not (plain http).
 */
function cyrb53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export function draftKey(parts: { incidentId: string; audience: string; body: string; lastUpdateId: string | null }): string {
  const text = [parts.incidentId, parts.audience, parts.lastUpdateId ?? '-', parts.body].join('\u0000');
  return `draft-${cyrb53(text, 1)}${cyrb53(text, 2)}`;
}
