/**
 * Replay of a war room whose timeline holds 100,000 entries, through the real
 * HTTP API, while a probe asks /healthz back to back: what a reader scrubbing
 * the slider costs everyone else. Part of `npm run bench -- replay`.
 *
 * The timeline is written by one server and replayed by a second one on the
 * same database, so the writer's live room is not in the measured process.
 * Phases: cold (first request, nothing loaded), warm (random moments of the
 * same incident), moments (the slider's steps), after one more change (the
 * loaded history follows the stored one), four readers at once. Reports per
 * phase latency, the largest response, the probe's worst wait and how many
 * probes were answered (or reset), and the process RSS (worker threads included).
 */
import * as Y from 'yjs';
import { describeUpdate } from '../server/collab/history.ts';
import { sqlDocumentStore } from '../server/collab/storage.ts';
import type { Database } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { addTimelineEntry } from '../server/shared/war-room-doc.ts';
import { fillTimeline, LARGE_DOCUMENT_COLLAB } from '../tests/helpers/large-timeline.ts';
import { startTestServer, withAdmin } from '../tests/helpers/server.ts';

export interface LargeReplayOptions {
  entries: number;
  perChange: number;
  moments: number;
}

export interface PhaseResult {
  phase: string;
  requests: number;
  failed: number;
  p50: number;
  max: number;
  maxKiB: number;
  probeMax: number;
  probes: number;
  probeFailures: number;
}

export interface LargeReplayResult {
  label: string;
  changes: number;
  fillS: number;
  phases: PhaseResult[];
  rssMiB: { before: number; peak: number; after: number };
}

const HOUR = 3_600_000;
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** Sequential /healthz requests until stopped: each one's round trip is how long a health check waited. */
function startProbe(url: string) {
  const waits: number[] = [];
  let failures = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const began = performance.now();
      try {
        const response = await fetch(`${url}/healthz`);
        await response.arrayBuffer();
      } catch {
        // A server blocked past its header timeout resets the connection: that wait counts, as a failure.
        failures++;
      }
      waits.push(performance.now() - began);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { max: Math.max(0, ...waits), count: waits.length, failures };
    },
  };
}

export async function runLargeReplay(label: string, db: Database, options: LargeReplayOptions): Promise<LargeReplayResult> {
  await migrate(db.sql);
  // Written by one server, replayed by another: like an incident closed a while ago, whose war room nobody has
  // open, so the live room (a copy of the whole document in the main thread's heap) is not what gets measured.
  const writer = await startTestServer(db, { collab: LARGE_DOCUMENT_COLLAB });
  let admin: Awaited<ReturnType<typeof withAdmin>>['admin'];
  let incident: { ref: string; docId: string };
  const start = new Date(Date.now() - 5 * HOUR);
  let changes: number;
  let fillS: number;
  try {
    ({ admin } = await withAdmin(writer));
    const declared = await admin.client.post('/api/incidents', { title: 'Disk pressure everywhere', severity: 2, services: ['storage'] });
    if (declared.status !== 201) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
    incident = declared.body.incident;
    const fillBegan = performance.now();
    ({ changes } = await fillTimeline(writer, db.sql, incident.docId, {
      entries: options.entries,
      perChange: options.perChange,
      start,
      spanMs: 4 * HOUR,
      author: { id: admin.user.id, name: admin.user.displayName },
    }));
    fillS = (performance.now() - fillBegan) / 1000;
  } finally {
    await writer.close();
  }

  const server = await startTestServer(db);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const reader = server.client();
    reader.cookie = admin.client.cookie;
    global.gc?.();
    const before = process.memoryUsage().rss;
    peak = before;

    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const replayAt = (at: Date) => `/api/incidents/${incident.ref}/replay?at=${encodeURIComponent(at.toISOString())}`;

    async function phase(name: string, paths: string[], concurrency = 1): Promise<PhaseResult> {
      const probe = startProbe(server.url);
      const times: number[] = [];
      let maxBytes = 0;
      let failed = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < paths.length) {
            const path = paths[next++];
            const began = performance.now();
            try {
              const response = await fetch(server.url + path, { headers: { cookie: reader.cookie ?? '' } });
              const body = await response.arrayBuffer();
              if (response.status !== 200) throw new Error(`${path}: ${response.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
              maxBytes = Math.max(maxBytes, body.byteLength);
            } catch (error) {
              failed++;
              console.error(`${name}: ${(error as Error).message}`);
            }
            times.push(performance.now() - began);
          }
        }),
      );
      const probed = await probe.stop();
      times.sort((a, b) => a - b);
      return {
        phase: name,
        requests: times.length,
        failed,
        p50: percentile(times, 50),
        max: times.at(-1)!,
        maxKiB: Math.round(maxBytes / 1024),
        probeMax: probed.max,
        probes: probed.count,
        probeFailures: probed.failures,
      };
    }

    const end = new Date(start.getTime() + 4 * HOUR + 60_000);
    const moments = Array.from({ length: options.moments }, () => new Date(start.getTime() + Math.floor(random() * 4 * HOUR)));
    const phases: PhaseResult[] = [];
    phases.push(await phase('cold (first request)', [replayAt(end)]));
    phases.push(await phase('warm (random moments)', moments.map(replayAt)));
    phases.push(await phase('moments (slider steps)', [`/api/incidents/${incident.ref}/replay/moments`]));
    await appendEntry(db, incident.docId, admin.user.id);
    phases.push(await phase('after one more change', [replayAt(new Date(Date.now() + 1000))]));
    phases.push(await phase('4 readers at once', moments.map(replayAt), 4));
    global.gc?.();
    const after = process.memoryUsage().rss;
    return { label, changes, fillS, phases, rssMiB: { before: mib(before), peak: mib(peak), after: mib(after) } };
  } finally {
    clearInterval(sampler);
    await server.close();
  }
}

/**
 * One more timeline entry, stored as the collaboration server stores a change
 * (without loading the room: see above). A new key of the root map depends on
 * nothing else in the document, so a fresh Y.Doc can write it.
 */
async function appendEntry(db: Database, docId: string, userId: string): Promise<void> {
  const doc = new Y.Doc();
  const captured: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => captured.push(update));
  addTimelineEntry(doc, { at: new Date().toISOString(), kind: 'note', text: 'One more', author: { id: userId, name: 'Admin' }, hypothesisId: null });
  const update = Y.mergeUpdates(captured);
  await sqlDocumentStore(db.sql).append(docId, [{ update, userId, receivedAt: new Date(), ids: describeUpdate(update) }]);
  doc.destroy();
}

export function printLargeReplay(results: LargeReplayResult[], options: LargeReplayOptions): void {
  const fmt = (n: number) => n.toFixed(1);
  console.log(`\nReplay of a ${options.entries.toLocaleString('en')}-entry timeline over HTTP (${options.perChange} entries per change), /healthz probed back to back\n`);
  console.log('| backend | phase | requests | p50 ms | max ms | largest response KiB | /healthz max wait ms | probes answered | probes reset |');
  console.log('|---------|-------|---------:|-------:|-------:|---------------------:|---------------------:|----------------:|-------------:|');
  for (const r of results) {
    for (const p of r.phases) {
      console.log(`| ${r.label} | ${p.phase} | ${p.requests - p.failed}${p.failed ? ` (+${p.failed} failed)` : ''} | ${fmt(p.p50)} | ${fmt(p.max)} | ${p.maxKiB} | ${fmt(p.probeMax)} | ${p.probes - p.probeFailures} | ${p.probeFailures} |`);
    }
  }
  console.log('');
  for (const r of results) console.log(`- ${r.label}: ${r.changes} changes written in ${fmt(r.fillS)} s; RSS before ${r.rssMiB.before} MiB, peak ${r.rssMiB.peak} MiB, after ${r.rssMiB.after} MiB`);
}
