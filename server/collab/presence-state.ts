/**
 * What a presence state may hold. The server rebuilds each client's state
 * from a short list of fields the UI uses, so presence cannot carry
 * megabytes, forged identities or fields nobody reads:
 *   user     set entirely by the server (id, name, colours, incident role)
 *   editing  what the person is editing, e.g. "timeline" or "hypothesis:abc"
 *   cursor   y-codemirror.next's selection: {anchor, head} as relative positions
 */
import type { PresenceIdentity } from '../shared/presence.ts';

/** Largest state a client may publish, as JSON text; the UI's states are a few hundred bytes. */
export const MAX_PRESENCE_STATE_BYTES = 4096;
const MAX_EDITING_LENGTH = 200;
const MAX_TYPE_NAME_LENGTH = 200;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isClock = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** A Yjs id ({client, clock}) or undefined when malformed. */
function id(value: unknown): { client: number; clock: number } | undefined {
  return isObject(value) && isClock(value.client) && isClock(value.clock) ? { client: value.client, clock: value.clock } : undefined;
}

/**
 * A relative position ({type, tname, item, assoc}), field by field; null when
 * it is not one. Every field is kept, null when absent: Yjs resolves a
 * position by comparing its fields with `!== null`, so a missing field reads
 * as present and the cursor never shows.
 */
function relativePosition(value: unknown): Json | null {
  if (!isObject(value)) return null;
  const type = value.type == null ? null : id(value.type);
  const item = value.item == null ? null : id(value.item);
  if (type === undefined || item === undefined) return null;
  const tname = value.tname ?? null;
  if (tname !== null && (typeof tname !== 'string' || tname.length > MAX_TYPE_NAME_LENGTH)) return null;
  const assoc = value.assoc ?? 0;
  if (!Number.isSafeInteger(assoc)) return null;
  return { type, tname, item, assoc };
}

function cursor(value: unknown): Json | null {
  if (!isObject(value)) return null;
  const anchor = relativePosition(value.anchor);
  const head = relativePosition(value.head);
  return anchor && head ? { anchor, head } : null;
}

/** The state others will see: the server's identity plus the client's own fields that pass the checks. */
export function presenceState(client: Json, identity: PresenceIdentity): Json {
  const state: Json = { user: { ...identity } };
  if (typeof client.editing === 'string') state.editing = client.editing.slice(0, MAX_EDITING_LENGTH);
  else if (client.editing === null) state.editing = null;
  if ('cursor' in client) state.cursor = cursor(client.cursor);
  return state;
}
