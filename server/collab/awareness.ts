/**
 * Awareness updates as they come off the wire: a list of (clientID, clock,
 * state) where state is the JSON a client published, or null when it left.
 * States stay undecoded bytes until someone needs them: most entries a stock
 * client sends are echoes of other people's presence, which the server skips
 * without parsing their JSON.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MalformedMessage, parseMessage } from './protocol.ts';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The state's JSON text as UTF-8 bytes. */
  json: Uint8Array;
}

export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries: AwarenessEntry[] = [];
  try {
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      // writeVarString and writeVarUint8Array share one layout: length, then UTF-8 bytes.
      entries.push({ clientId, clock, json: decoding.readVarUint8Array(decoder) });
    }
  } catch (error) {
    throw new MalformedMessage(`undecodable awareness update: ${(error as Error).message}`);
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after the awareness update');
  return entries;
}

/**
 * The largest state's JSON bytes in an awareness message frame, 0 when it has
 * none. A frame that does not parse counts 0 here: the full parse of its turn
 * refuses it (MALFORMED).
 */
export function largestPresenceState(frame: Uint8Array): number {
  try {
    const message = parseMessage(frame);
    if (message.type !== 'awareness') return 0;
    let largest = 0;
    for (const entry of parseAwarenessUpdate(message.update)) largest = Math.max(largest, entry.json.byteLength);
    return largest;
  } catch (error) {
    if (error instanceof MalformedMessage) return 0;
    throw error;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The entry's state: a plain object, or null when the client left. */
export function decodeAwarenessState(entry: AwarenessEntry): Record<string, unknown> | null {
  let state: unknown;
  try {
    state = JSON.parse(utf8.decode(entry.json));
  } catch (error) {
    throw new MalformedMessage(`undecodable awareness state: ${(error as Error).message}`);
  }
  if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new MalformedMessage('awareness state must be an object or null');
  return state as Record<string, unknown> | null;
}

/** One entry as it appears inside an awareness update, to be concatenated with others. */
export function encodeAwarenessEntry(clientId: number, clock: number, state: Record<string, unknown> | null): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clientId);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, JSON.stringify(state));
  return encoding.toUint8Array(encoder);
}

/** An awareness update made of already-encoded entries. */
export function joinAwarenessEntries(entries: Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) encoding.writeUint8Array(encoder, entry);
  return encoding.toUint8Array(encoder);
}
