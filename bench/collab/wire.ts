/**
 * The two wire dialects the benchmark speaks, by hand so the client stays
 * cheap enough for one core to play hundreds of readers.
 *
 * Both carry the y-protocols sync messages (type 0; subtype 0 step 1 with a
 * state vector, 1 step 2 with an update, 2 update). The plain y-websocket
 * dialect (Warroom, @y/websocket-server) sends them as they are, one document
 * per socket. Hocuspocus prefixes every message with the document name
 * (varString), wants an auth message (type 2) before anything else, and sends
 * a few types of its own (8 sync status, 7 close) that a reader ignores.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export type Incoming =
  | { kind: 'sync-step-1' }
  | { kind: 'sync-step-2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'denied'; reason: string }
  | { kind: 'other' };

export interface Dialect {
  readonly name: 'y-websocket' | 'hocuspocus';
  /** What a client sends as soon as the socket opens, like the stock provider: sync step 1 (after auth where needed). */
  opening(doc: string, stateVector: Uint8Array): Uint8Array[];
  /** The answer to the server's sync step 1: a step 2 with what the client has that the server lacks. */
  step2(doc: string, update: Uint8Array): Uint8Array;
  /** One update message, ready to send. */
  update(doc: string, update: Uint8Array): Uint8Array;
  /** Reads the header of a server message; payloads are views into `frame`, not copies. */
  read(frame: Uint8Array): Incoming;
}

const SYNC = 0;
const STEP_1 = 0;
const STEP_2 = 1;
const UPDATE = 2;

function syncMessage(prefix: string | null, subtype: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  if (prefix !== null) encoding.writeVarString(encoder, prefix);
  encoding.writeVarUint(encoder, SYNC);
  encoding.writeVarUint(encoder, subtype);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

function readSync(decoder: decoding.Decoder): Incoming {
  const subtype = decoding.readVarUint(decoder);
  if (subtype === STEP_1) return { kind: 'sync-step-1' };
  const payload = decoding.readVarUint8Array(decoder);
  if (subtype === STEP_2) return { kind: 'sync-step-2', update: payload };
  if (subtype === UPDATE) return { kind: 'update', update: payload };
  return { kind: 'other' };
}

export const yWebsocket: Dialect = {
  name: 'y-websocket',
  opening: (_doc, stateVector) => [syncMessage(null, STEP_1, stateVector)],
  step2: (_doc, update) => syncMessage(null, STEP_2, update),
  update: (_doc, update) => syncMessage(null, UPDATE, update),
  read(frame) {
    const decoder = decoding.createDecoder(frame);
    return decoding.readVarUint(decoder) === SYNC ? readSync(decoder) : { kind: 'other' };
  },
};

/** Hocuspocus message types (its server's `MessageType`) that a reader must understand. */
const HOCUSPOCUS_AUTH = 2;
const HOCUSPOCUS_SYNC_REPLY = 4;
const AUTH_TOKEN = 0;
const AUTH_PERMISSION_DENIED = 1;

export const hocuspocus: Dialect = {
  name: 'hocuspocus',
  opening(doc, stateVector) {
    const auth = encoding.createEncoder();
    encoding.writeVarString(auth, doc);
    encoding.writeVarUint(auth, HOCUSPOCUS_AUTH);
    encoding.writeVarUint(auth, AUTH_TOKEN);
    encoding.writeVarString(auth, '');
    return [encoding.toUint8Array(auth), syncMessage(doc, STEP_1, stateVector)];
  },
  step2: (doc, update) => syncMessage(doc, STEP_2, update),
  update: (doc, update) => syncMessage(doc, UPDATE, update),
  read(frame) {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === SYNC || type === HOCUSPOCUS_SYNC_REPLY) return readSync(decoder);
    if (type === HOCUSPOCUS_AUTH && decoding.readVarUint(decoder) === AUTH_PERMISSION_DENIED) {
      return { kind: 'denied', reason: decoding.readVarString(decoder) };
    }
    return { kind: 'other' };
  },
};
