/**
 * Awareness updates as they come off the wire: a list of (clientID, clock,
 * state) where state is the JSON a client published, or null when it left.
 * The server parses them, rewrites the identity from the session and encodes
 * them again before they reach the room's Awareness.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { PresenceIdentity } from '../shared/presence.ts';
import { MalformedMessage } from './protocol.ts';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries: AwarenessEntry[] = [];
  try {
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state: unknown = JSON.parse(decoding.readVarString(decoder));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new MalformedMessage('awareness state must be an object or null');
      entries.push({ clientId, clock, state: state as AwarenessEntry['state'] });
    }
  } catch (error) {
    if (error instanceof MalformedMessage) throw error;
    throw new MalformedMessage(`undecodable awareness update: ${(error as Error).message}`);
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after the awareness update');
  return entries;
}

export function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

/** The state as others will see it: the client's own fields, the session's identity. */
export function withIdentity(state: Record<string, unknown>, identity: PresenceIdentity): Record<string, unknown> {
  const user = state.user && typeof state.user === 'object' && !Array.isArray(state.user) ? state.user : {};
  return { ...state, user: { ...user, id: identity.id, name: identity.name, color: identity.color } };
}
