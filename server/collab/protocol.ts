/**
 * The y-websocket wire protocol (y-protocols), so the stock WebsocketProvider
 * works unchanged. A frame is one message: varUint type, then
 *   0 sync       varUint subtype (0 step 1: state vector, 1 step 2: update,
 *                2 update), then varUint8Array payload
 *   1 awareness  varUint8Array awareness update
 *   3 query awareness (no payload)
 * Incoming frames are parsed strictly into a typed message; anything else
 * (unknown type, truncated, trailing bytes) is a MalformedMessage.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

export type IncomingMessage =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'sync-step-2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

export class MalformedMessage extends Error {}

export function parseMessage(frame: Uint8Array): IncomingMessage {
  const decoder = decoding.createDecoder(frame);
  let message: IncomingMessage;
  try {
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const subtype = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (subtype === syncProtocol.messageYjsSyncStep1) message = { type: 'sync-step-1', stateVector: payload };
      else if (subtype === syncProtocol.messageYjsSyncStep2) message = { type: 'sync-step-2', update: payload };
      else if (subtype === syncProtocol.messageYjsUpdate) message = { type: 'update', update: payload };
      else throw new MalformedMessage(`unknown sync message type ${subtype}`);
    } else if (type === MESSAGE_AWARENESS) {
      message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
    } else if (type === MESSAGE_QUERY_AWARENESS) {
      message = { type: 'query-awareness' };
    } else {
      throw new MalformedMessage(`unknown message type ${type}`);
    }
  } catch (error) {
    if (error instanceof MalformedMessage) throw error;
    throw new MalformedMessage(`undecodable message: ${(error as Error).message}`);
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after the message');
  return message;
}

function syncMessage(subtype: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, subtype);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export const encodeSyncStep1 = (stateVector: Uint8Array) => syncMessage(syncProtocol.messageYjsSyncStep1, stateVector);
export const encodeSyncStep2 = (update: Uint8Array) => syncMessage(syncProtocol.messageYjsSyncStep2, update);
export const encodeUpdate = (update: Uint8Array) => syncMessage(syncProtocol.messageYjsUpdate, update);

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/**
 * An awareness update that changes nothing (no entries). The stock client
 * drops a connection on which nothing arrived for 30 s and starts over, so a
 * connection the server has had nothing else to send for a while gets this
 * (see Connection.keepAlive).
 */
export const NOTHING_NEW = encodeAwareness(Uint8Array.of(0));
