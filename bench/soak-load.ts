/**
 * One load process of `npm run bench -- soak` (bench/soak.ts starts several,
 * pinned to other cores than the server). Runs stock y-websocket clients in
 * Node, as browsers would: each person has one active tab that types (a
 * keystroke about every 300 ms, a timeline line about every 15 s) and moves
 * its cursor about twice a second, and idle tabs that only listen (and, like
 * every stock client, echo the presence they receive).
 *
 * An observer tab types nothing and is the only tab of its process: the
 * soak runs one beside the load, so that delivery is also measured by a
 * client whose process has nothing else to do. The difference between what
 * it sees and what the busy tabs see is the load generator's own queueing.
 *
 * Measurement stays off the per-frame path as far as it can: frames are
 * counted into a fixed array by their first bytes, latency is read only
 * when a timeline line arrives (about one a second per person), and the
 * process's event-loop delay is sampled by Node's own histogram.
 *
 * Talks to the parent over IPC: gets {wsBase, docId, tabs}, answers 'ready',
 * runs until 'stop', then reports counts, the delivery-latency histogram,
 * what it typed and a digest of each tab's copy.
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export type TabRole = 'active' | 'idle' | 'observer';
export interface LoadTab {
  /** Upgrade headers (a session cookie and origin for Warroom; none for the reference). */
  headers: Record<string, string>;
  person: number;
  role: TabRole;
}
export interface LoadConfig {
  wsBase: string;
  docId: string;
  tabs: LoadTab[];
}
export interface LoadReport {
  tabs: number;
  connected: number;
  disconnects: number;
  digests: string[];
  typed: string[];
  histogram: number[];
  framesSent: Record<string, number>;
  framesReceived: Record<string, number>;
  /** This process's event-loop delay over the run, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Time spent in garbage collection over the run, ms. */
  gcMs: number;
}

/** Delivery latency in whole milliseconds, 0 … 9999 (the last bucket holds anything slower). */
const histogram = new Array<number>(10_000).fill(0);
const FRAME_KINDS = ['sync step 1', 'sync step 2', 'update', 'awareness', 'other'];
const sentCounts = new Array<number>(FRAME_KINDS.length).fill(0);
const receivedCounts = new Array<number>(FRAME_KINDS.length).fill(0);
const kindIndex = (frame: Uint8Array) => (frame[0] === 1 ? 3 : frame[0] === 0 && frame[1] <= 2 ? frame[1] : 4);
const named = (counts: number[]) => Object.fromEntries(FRAME_KINDS.map((kind, i) => [kind, counts[i]]).filter(([, n]) => n !== 0));
const now = () => performance.timeOrigin + performance.now();
/** Node records the whole interval between its samples, so the delay is what exceeds the resolution. */
const LOOP_SAMPLE_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
let gcMs = 0;
let measuring = false;
new PerformanceObserver((list) => {
  if (measuring) for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
// Every stock provider adds a process 'exit' listener; fifty of them are expected here.
process.setMaxListeners(0);

function openTab(config: LoadConfig, tab: LoadTab) {
  class CountingSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: tab.headers, perMessageDeflate: false });
      // The provider asks for ArrayBuffers; a two-byte view is all the count needs.
      this.on('message', (data: ArrayBuffer | Buffer) => receivedCounts[kindIndex(data instanceof ArrayBuffer ? new Uint8Array(data, 0, Math.min(2, data.byteLength)) : data)]++);
    }
    override send(data: Parameters<WebSocket['send']>[0]) {
      sentCounts[kindIndex(data as Uint8Array)]++;
      super.send(data);
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(config.wsBase, config.docId, doc, {
    WebSocketPolyfill: CountingSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.awareness.setLocalStateField('user', { name: tab.role === 'observer' ? 'observer' : `person ${tab.person}` });
  let closes = 0;
  provider.on('connection-close', (event) => {
    if (event) closes++;
  });
  // Latency is measured on each person's active tab (and the observer), for lines other people typed.
  if (tab.role !== 'idle') {
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

process.on('message', async (message: { type: 'start'; config: LoadConfig } | { type: 'stop' } | { type: 'report' }) => {
  if (message.type !== 'start') return;
  const { config } = message;
  const tabs = config.tabs.map((tab) => openTab(config, tab));
  await Promise.all(tabs.map((t) => new Promise<void>((resolve) => (t.provider.synced ? resolve() : t.provider.once('sync', () => resolve())))));
  const typed: string[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (const t of tabs.filter((t) => t.tab.role === 'active')) {
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
  loopDelay.enable();
  measuring = true;
  process.send!({ type: 'ready' });
  process.on('message', async (next: { type: string }) => {
    if (next.type === 'stop') {
      for (const timer of timers) clearInterval(timer);
      loopDelay.disable();
      measuring = false;
      process.send!({ type: 'stopped' });
    } else if (next.type === 'report') {
      const ms = (ns: number) => Math.max(0, Math.round(ns / 1e5) / 10 - LOOP_SAMPLE_MS);
      const report: LoadReport = {
        tabs: tabs.length,
        connected: tabs.filter((t) => t.provider.wsconnected && t.provider.synced).length,
        disconnects: tabs.reduce((sum, t) => sum + t.closes(), 0),
        digests: tabs.map((t) => digest(t.doc)),
        typed,
        histogram,
        framesSent: named(sentCounts),
        framesReceived: named(receivedCounts),
        loopDelay: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
        gcMs: Math.round(gcMs),
      };
      process.send!({ type: 'report', ...report });
      for (const t of tabs) t.provider.destroy();
      setTimeout(() => process.exit(0), 100);
    }
  });
});
