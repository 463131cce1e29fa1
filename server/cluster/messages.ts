/**
 * What processes tell each other about documents through Redis, as compact
 * binary frames: committed changes (with their per-document numbers) and
 * presence. Every frame names its sender, so a process skips its own.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export type DocMessage =
  | { kind: 'changes'; node: string; docId: string; firstSeq: number; updates: Uint8Array[] }
  /** Presence entries a process's own connections published; null state: gone. */
  | { kind: 'presence'; node: string; docId: string; entries: { clientId: number; state: Record<string, unknown> | null }[] }
  /** A process just loaded the room: the others send their connections' presence. */
  | { kind: 'presence-query'; node: string; docId: string };

const CHANGES = 1;
const PRESENCE = 2;
const PRESENCE_QUERY = 3;

export function encodeDocMessage(message: DocMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, message.kind === 'changes' ? CHANGES : message.kind === 'presence' ? PRESENCE : PRESENCE_QUERY);
  encoding.writeVarString(encoder, message.node);
  encoding.writeVarString(encoder, message.docId);
  if (message.kind === 'changes') {
    encoding.writeVarUint(encoder, message.firstSeq);
    encoding.writeVarUint(encoder, message.updates.length);
    for (const update of message.updates) encoding.writeVarUint8Array(encoder, update);
  } else if (message.kind === 'presence') {
    encoding.writeVarUint(encoder, message.entries.length);
    for (const { clientId, state } of message.entries) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarString(encoder, JSON.stringify(state));
    }
  }
  return encoding.toUint8Array(encoder);
}

/** Throws for a frame that is not one of ours (the caller logs and drops it). */
export function decodeDocMessage(frame: Uint8Array): DocMessage {
  const decoder = decoding.createDecoder(frame);
  const kind = decoding.readVarUint(decoder);
  const node = decoding.readVarString(decoder);
  const docId = decoding.readVarString(decoder);
  if (kind === CHANGES) {
    const firstSeq = decoding.readVarUint(decoder);
    const count = decoding.readVarUint(decoder);
    const updates: Uint8Array[] = [];
    for (let i = 0; i < count; i++) updates.push(decoding.readVarUint8Array(decoder));
    return { kind: 'changes', node, docId, firstSeq, updates };
  }
  if (kind === PRESENCE) {
    const count = decoding.readVarUint(decoder);
    const entries: { clientId: number; state: Record<string, unknown> | null }[] = [];
    for (let i = 0; i < count; i++) entries.push({ clientId: decoding.readVarUint(decoder), state: JSON.parse(decoding.readVarString(decoder)) });
    return { kind: 'presence', node, docId, entries };
  }
  if (kind === PRESENCE_QUERY) return { kind: 'presence-query', node, docId };
  throw new Error(`unknown cluster message kind ${kind}`);
}

/** Control messages: rare, JSON. */
export type ControlMessage = { kind: 'reauthorize'; node: string; docId: string };
