/**
 * A stock y-websocket client on a busy device, as its own process: every
 * turn of its event loop first does BUSY_MS of other work, so it applies
 * what it is sent late (and, like every stock client, echoes the presence
 * it receives late). Connects to WS_URL / DOC_ID with COOKIE and ORIGIN,
 * prints {"synced": true} once synced, and for each line of stdin prints
 * {"updateFrames": n, "text": …} (update frames received so far, what its
 * copy of the `t` text holds).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { busyEventLoop } from './busy-event-loop.ts';

const { WS_URL, DOC_ID, COOKIE, ORIGIN, BUSY_MS } = process.env as Record<string, string>;
let updateFrames = 0;
class CountingSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { headers: { cookie: COOKIE, origin: ORIGIN } });
    // The provider asks for ArrayBuffers.
    this.on('message', (data: ArrayBuffer | Buffer) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data, 0, Math.min(2, data.byteLength)) : data;
      // A sync message (0) of type update (2).
      if (bytes[0] === 0 && bytes[1] === 2) updateFrames++;
    });
  }
}
const doc = new Y.Doc();
const provider = new WebsocketProvider(WS_URL, DOC_ID, doc, { WebSocketPolyfill: CountingSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
provider.awareness.setLocalState({ user: { name: 'slow reader' } });
provider.once('sync', () => {
  busyEventLoop(Number(BUSY_MS));
  process.stdout.write(`${JSON.stringify({ synced: true })}\n`);
});
createInterface({ input: process.stdin }).on('line', () => {
  process.stdout.write(`${JSON.stringify({ updateFrames, text: doc.getText('t').toString() })}\n`);
});
// The test ends it; if the test process goes away first, so does this one.
process.stdin.on('end', () => process.exit(0));
