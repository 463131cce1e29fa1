/**
 * The bystanders of the abuse benchmark, in their own process so the attack
 * code's own work cannot hold up their event loop: a probe asking /healthz
 * every 20 ms, and a member typing into another war room's draft (one
 * character every 50 ms) while a second member's provider measures how long
 * each keystroke takes to arrive. The parent asks for the figures since its
 * last question with a "window" message.
 */
import { draftText } from '../../server/shared/war-room-doc.ts';
import { openProvider, percentile } from './client.ts';

interface Start {
  base: string;
  docId: string;
  typistCookie: string;
  watcherCookie: string;
}

const probeMs: number[] = [];
const deliveryMs: number[] = [];
let stopped = false;

async function probe(base: string) {
  while (!stopped) {
    const started = performance.now();
    try {
      await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.arrayBuffer());
      probeMs.push(performance.now() - started);
    } catch {
      probeMs.push(30_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function type(start: Start) {
  const typist = await openProvider(start.base, start.typistCookie, start.docId);
  const watcher = await openProvider(start.base, start.watcherCookie, start.docId);
  const sent = new Map<number, number>();
  const theirs = draftText(watcher.doc, 'responders');
  const mine = draftText(typist.doc, 'responders');
  if (!theirs || !mine) throw new Error('the typing room has no responders draft');
  let seen = 0;
  theirs.observe(() => {
    // Keystrokes are "<n>," appended at the end; every new number that arrived is one delivery.
    const text = theirs.toString();
    for (const match of text.slice(seen).matchAll(/(\d+),/g)) {
      const at = sent.get(Number(match[1]));
      if (at !== undefined) deliveryMs.push(performance.now() - at);
      sent.delete(Number(match[1]));
    }
    seen = text.lastIndexOf(',') + 1;
  });
  for (let n = 0; !stopped; n++) {
    sent.set(n, performance.now());
    mine.insert(mine.length, `${n},`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  typist.provider.destroy();
  watcher.provider.destroy();
}

process.on('message', (message: { kind: 'start'; start: Start } | { kind: 'window' } | { kind: 'stop' }) => {
  if (message.kind === 'start') {
    void probe(message.start.base);
    type(message.start).catch((error) => process.send!({ kind: 'error', message: String(error) }));
    process.send!({ kind: 'started' });
  } else if (message.kind === 'window') {
    const probe = probeMs.splice(0);
    const delivery = deliveryMs.splice(0);
    process.send!({
      kind: 'window',
      probe: { count: probe.length, p50: percentile(probe, 50), p99: percentile(probe, 99), max: probe.length ? Math.max(...probe) : null },
      delivery: { count: delivery.length, p99: percentile(delivery, 99) },
    });
  } else {
    stopped = true;
    setTimeout(() => process.exit(0), 200);
  }
});
