/**
 * One load process of `npm run bench -- soak` (bench/soak.ts starts several,
 * pinned to other cores than the server). Runs stock y-websocket clients in
 * Node, as browsers would: each person has one active tab that types (a
 * keystroke about every 300 ms, a timeline line about every 15 s) and moves
 * its cursor about twice a second, and idle tabs that only listen (and, like
 * every stock client, echo the presence they receive).
 *
 * Talks to the parent over IPC: gets {url, docId, tabs: [{cookie, person,
 * active}]}, answers 'ready', runs until 'stop', then reports counts, the
 * delivery-latency histogram, what it typed and a digest of each tab's copy.
 */
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

interface Tab {
  cookie: string;
  person: number;
  active: boolean;
}
interface Config {
  url: string;
  docId: string;
  tabs: Tab[];
}

/** Delivery latency in whole milliseconds, 0 … 9999 (the last bucket holds anything slower). */
const histogram = new Array<number>(10_000).fill(0);
const framesSent: Record<string, number> = {};
const framesReceived: Record<string, number> = {};
const kindOf = (frame: Uint8Array) => (frame[0] === 1 ? 'awareness' : frame[0] === 0 ? (['sync step 1', 'sync step 2', 'update'][frame[1]] ?? 'sync ?') : `type ${frame[0]}`);
const count = (counts: Record<string, number>, frame: Uint8Array) => (counts[kindOf(frame)] = (counts[kindOf(frame)] ?? 0) + 1);
const now = () => performance.timeOrigin + performance.now();

function openTab(config: Config, tab: Tab) {
  const headers = { cookie: tab.cookie, origin: config.url };
  class CountingSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers, perMessageDeflate: false });
      this.on('message', (data: Buffer | ArrayBuffer) => count(framesReceived, data instanceof ArrayBuffer ? new Uint8Array(data) : data));
    }
    override send(data: Parameters<WebSocket['send']>[0]) {
      count(framesSent, data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array));
      super.send(data);
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(config.url.replace(/^http/, 'ws') + '/collab', config.docId, doc, {
    WebSocketPolyfill: CountingSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.awareness.setLocalStateField('user', { name: `person ${tab.person}` });
  let closes = 0;
  provider.on('connection-close', (event) => {
    if (event) closes++;
  });
  // Latency is measured on each person's active tab, for lines other people typed.
  if (tab.active) {
    doc.getArray<string>('timeline').observe((event) => {
      if (event.transaction.local) return;
      const at = now();
      for (const item of event.changes.added) {
        for (const line of item.content.getContent() as string[]) {
          const [person, sentAt] = line.split('|');
          if (Number(person) !== tab.person) histogram[Math.min(9999, Math.max(0, Math.round(at - Number(sentAt))))]++;
        }
      }
    });
  }
  return { tab, doc, provider, closes: () => closes };
}

function digest(doc: Y.Doc): string {
  return createHash('sha256').update(JSON.stringify([doc.getArray('timeline').toJSON(), doc.getText('notes').toString()])).digest('hex');
}

process.on('message', async (message: { type: 'start'; config: Config } | { type: 'stop' } | { type: 'report' }) => {
  if (message.type === 'start') {
    const { config } = message;
    const tabs = config.tabs.map((tab) => openTab(config, tab));
    await Promise.all(tabs.map((t) => new Promise<void>((resolve) => (t.provider.synced ? resolve() : t.provider.once('sync', () => resolve())))));
    const typed: string[] = [];
    const timers: NodeJS.Timeout[] = [];
    for (const t of tabs.filter((t) => t.tab.active)) {
      const text = t.doc.getText('notes');
      let cursor = 0;
      // Jitter so a hundred people do not type in lockstep.
      timers.push(
        setInterval(() => {
          if (Math.random() < 0.5) {
            cursor = (cursor + 1) % 1000;
            t.provider.awareness.setLocalStateField('cursor', { anchor: { item: { client: t.doc.clientID, clock: cursor }, assoc: 0 }, head: { item: { client: t.doc.clientID, clock: cursor }, assoc: 0 } });
          }
          if (Math.random() < 0.6) text.insert(Math.floor(Math.random() * (text.length + 1)), String.fromCharCode(97 + Math.floor(Math.random() * 26)));
          if (Math.random() < 0.02) {
            const line = `${t.tab.person}|${now()}|${typed.length}`;
            t.doc.getArray<string>('timeline').push([line]);
            typed.push(line);
          }
        }, 300 + Math.random() * 100),
      );
    }
    process.send!({ type: 'ready' });
    process.on('message', async (next: { type: string }) => {
      if (next.type === 'stop') {
        for (const timer of timers) clearInterval(timer);
        process.send!({ type: 'stopped' });
      } else if (next.type === 'report') {
        process.send!({
          type: 'report',
          tabs: tabs.length,
          connected: tabs.filter((t) => t.provider.wsconnected && t.provider.synced).length,
          disconnects: tabs.reduce((sum, t) => sum + t.closes(), 0),
          digests: tabs.map((t) => digest(t.doc)),
          typed,
          histogram,
          framesSent,
          framesReceived,
        });
        for (const t of tabs) t.provider.destroy();
        setTimeout(() => process.exit(0), 100);
      }
    });
  }
});
