/**
 * The worst inputs one member can send, as the abuse benchmark runs them.
 * Each returns a short note on what the server answered (the figures around
 * it are measured by the caller). None waits on a timer to prove something
 * did not happen: each ends when its own requests have been answered.
 */
import { request as httpRequest } from 'node:http';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { actionItemsMap, addActionItem } from '../../server/shared/postmortem-doc.ts';
import { addTimelineEntry } from '../../server/shared/war-room-doc.ts';
import { type Browser, openProvider, wsBase } from './client.ts';

export interface Room {
  ref: string;
  id: string;
  docId: string;
}

const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const BOMBS = ['*a ', '*a **b ', '[', '[a](', '`a``', '_a', '![a', 'https://a.b/', '&#'];

/** Updates, runbooks and a postmortem at their size limits, each made of the worst Markdown we know. */
export async function markdownBombs(attacker: Browser, commander: Browser, room: Room, closed: Room, owner: { id: string; name: string }): Promise<string> {
  let stored = 0;
  const phase = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const ms = Math.round(now - last);
      last = now;
      return `${ms} ms`;
    };
  })();
  for (const [i, bomb] of BOMBS.entries()) {
    const update = await commander.call('POST', `/api/incidents/${room.ref}/updates`, { audience: 'responders', body: fill(bomb, 20_000), idempotencyKey: `bomb-${i}-${Date.now()}` });
    const runbook = await attacker.call('POST', '/api/runbooks', { title: `Bomb ${i} ${Date.now()}`, body: fill(bomb, 100_000) });
    stored += Number(update.status === 201) + Number(runbook.status === 201);
  }
  const storedIn = phase();
  // A postmortem whose every section is a 50,000-character bomb, published once, then read 20 times.
  const { doc, provider } = await openProvider(commander.base, commander.cookie, `postmortem-${closed.id}`);
  doc.transact(() => {
    for (const [i, text] of [...doc.getMap<Y.Text>('sections').values()].entries()) {
      text.delete(0, text.length);
      text.insert(0, fill(BOMBS[i % BOMBS.length], 50_000));
    }
    const dueDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    addActionItem(doc, { title: 'Cap every Markdown field', owner, dueDate, kind: 'structural', priority: 'p2' });
  });
  // Submitted once the server holds it: a fresh connection is sent only what was committed.
  const holdsActionItem = async () => {
    const { doc: check, provider: checking } = await openProvider(commander.base, commander.cookie, `postmortem-${closed.id}`);
    const ok = [...actionItemsMap(check).values()].some((item) => item.get('title') === 'Cap every Markdown field');
    checking.destroy();
    return ok;
  };
  for (let attempt = 0; attempt < 50 && !(await holdsActionItem()); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  provider.destroy();
  await commander.ok('POST', `/api/incidents/${closed.ref}/postmortem/submit`);
  const drafted = phase();
  const published = await commander.call('POST', `/api/incidents/${closed.ref}/postmortem/publish`);
  const publishedIn = phase();
  let read = 0;
  for (let i = 0; i < 20; i++) read += Number((await attacker.call('GET', `/api/incidents/${closed.ref}/postmortem/versions/1`)).status === 200);
  return `${stored}/${BOMBS.length * 2} updates and runbooks stored (${storedIn}); postmortem drafted (${drafted}), published ${published.status} (${publishedIn}); ${read}/20 reads (${phase()})`;
}

/** 150 presence states of ~1 MB each, each from a new client id, over one read-only connection. */
export async function awarenessFlood(attacker: Browser, room: Room, count = 150): Promise<string> {
  const ws = new WebSocket(`${wsBase(attacker.base)}/${room.docId}`, { headers: { origin: attacker.base, cookie: attacker.cookie } });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let sent = 0;
  for (let i = 0; i < count && ws.readyState === WebSocket.OPEN; i++) {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState({ user: { id: 'forged', name: 'Commander', color: '#f00', role: 'commander' }, pad: fill(String(i % 10), 1_000_000) });
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 1);
    encoding.writeVarUint8Array(message, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]));
    ws.send(encoding.toUint8Array(message));
    sent++;
    awareness.destroy();
    // Let the socket drain: a flood that only fills our own buffer measures nothing.
    while (ws.bufferedAmount > 4_000_000 && ws.readyState === WebSocket.OPEN) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  ws.close();
  const code = await closed;
  return `${sent}/${count} sent, closed ${code}`;
}

/** One member opens `count` sockets to a public war room; then its commander tries to get in. */
export async function connectionFlood(attacker: Browser, commander: Browser, room: Room, count = 1000): Promise<string> {
  const sockets: WebSocket[] = [];
  const statuses = new Map<string, number>();
  const open = (cookie: string) =>
    new Promise<{ ws: WebSocket | null; status: string }>((resolve) => {
      const ws = new WebSocket(`${wsBase(attacker.base)}/${room.docId}`, { headers: { origin: attacker.base, cookie } });
      ws.once('open', () => resolve({ ws, status: '101' }));
      ws.once('unexpected-response', (_req, res) => resolve({ ws: null, status: String(res.statusCode) }));
      ws.once('error', () => resolve({ ws: null, status: 'error' }));
    });
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => open(attacker.cookie)));
    for (const { ws, status } of batch) {
      if (ws) sockets.push(ws);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }
  const theirs = await open(commander.cookie);
  theirs.ws?.close();
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : (ws.once('close', () => resolve()), ws.close())))));
  const summary = [...statuses].map(([status, n]) => `${n}×${status}`).join(' ');
  return `attacker ${summary}; commander ${theirs.status === '101' ? 'got in' : `refused (${theirs.status})`}`;
}

/** Four 100 MiB JSON bodies at once to the anonymous login route; each stops when the server answers. */
export async function hugeBodies(base: string, parallel = 4, bytes = 100 * 1024 * 1024): Promise<string> {
  const url = new URL(base);
  const one = () =>
    new Promise<string>((resolve) => {
      let sent = 0;
      const request = httpRequest({ host: url.hostname, port: url.port, path: '/api/auth/login', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes) } }, (response) => {
        response.resume();
        response.on('end', () => resolve(`${response.statusCode} after ${Math.round(sent / 1024 / 1024)} MiB`));
        request.destroy();
      });
      request.on('error', () => resolve(`connection closed after ${Math.round(sent / 1024 / 1024)} MiB`));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      chunk.write('{"email":"a@example.com","password":"');
      const pump = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        request.end();
      };
      pump();
    });
  const answers = await Promise.all(Array.from({ length: parallel }, one));
  return answers.join('; ');
}

/** Fills a war room with `entries` timeline entries through the stock provider, in messages under 1 MiB. */
export async function fillTimeline(commander: Browser, room: Room, entries: number): Promise<string> {
  const { doc, provider } = await openProvider(commander.base, commander.cookie, room.docId);
  // A writer past the document budget is closed (4413); the stock provider would reconnect and try again.
  const closes: number[] = [];
  provider.on('connection-close', (event: CloseEvent | null) => void (event && closes.push(event.code)));
  const author = { id: 'bench', name: 'Bench' };
  const at = new Date().toISOString();
  let written = 0;
  for (let i = 0; i < entries && provider.wsconnected && closes.length === 0; i += 1000) {
    doc.transact(() => {
      for (let j = i; j < Math.min(entries, i + 1000); j++) addTimelineEntry(doc, { at, kind: 'note', text: `Entry ${j}: checked the dashboards again`, author, hypothesisId: null });
    });
    written = Math.min(entries, i + 1000);
    const ws = provider.ws as unknown as { bufferedAmount: number } | null;
    while (ws && ws.bufferedAmount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The kernel's socket buffers still hold what the server has not read yet (it reads at the writer's budget):
  // the write is over once the server answers a sync request sent behind it, as it answers one connection in order.
  if (provider.wsconnected && closes.length === 0) await answeredInOrder(provider.ws as unknown as WebSocket, closes);
  const connected = provider.wsconnected && closes.length === 0;
  provider.destroy();
  return `${written} entries sent${connected ? '' : `; the server closed the writer (${closes.join(', ') || 'no code'})`}`;
}

/** Sends a sync step 1 on the socket and waits for the server's sync step 2 after it (or for the socket to close). */
function answeredInOrder(ws: WebSocket, closes: number[]): Promise<void> {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint8Array(encoder, new Uint8Array([0]));
  return new Promise((resolve) => {
    const done = () => {
      ws.removeEventListener('message', onMessage);
      ws.removeEventListener('close', done);
      resolve();
    };
    const onMessage = (event: { data: unknown }) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (bytes[0] === 0 && bytes[1] === 1) done();
    };
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', done);
    if (closes.length > 0) return done();
    ws.send(encoding.toUint8Array(encoder));
  });
}

/** A fresh client connects and syncs the big document, a reader replays it at now, then the commander closes the incident. */
export async function bigDocument(reader: Browser, commander: Browser, room: Room): Promise<string> {
  const parts: string[] = [];
  let started = performance.now();
  try {
    const { doc, provider } = await openProvider(reader.base, reader.cookie, room.docId, 180_000);
    parts.push(`connect ${Math.round(performance.now() - started)} ms (${doc.getMap('timeline').size} entries)`);
    provider.destroy();
  } catch (error) {
    parts.push(`connect failed: ${(error as Error).message}`);
  }
  started = performance.now();
  const replay = await reader.call('GET', `/api/incidents/${room.ref}/replay?at=${encodeURIComponent(new Date().toISOString())}`);
  parts.push(`replay ${replay.status} in ${Math.round(performance.now() - started)} ms, ${Math.round(JSON.stringify(replay.body).length / 1024)} KiB`);
  started = performance.now();
  await commander.call('POST', `/api/incidents/${room.ref}/state`, { state: 'resolved' });
  const closed = await commander.call('POST', `/api/incidents/${room.ref}/state`, { state: 'closed' });
  parts.push(`close ${closed.status} in ${Math.round(performance.now() - started)} ms`);
  return parts.join('; ');
}
