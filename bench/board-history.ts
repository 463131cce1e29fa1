/**
 * What the process review and /metrics pay to know when the correct
 * hypothesis was written: reading a war room's board history from its change
 * log (cold), and answering from the hypothesis_times cache once read (warm).
 *
 *   npm run bench -- board [--incidents 20] [--updates 2000]
 *
 * Each incident's document gets `updates` stored changes (cards written,
 * reworded, moved between statuses; compacted every 500 like the server), on
 * a fresh PGlite on disk, or PostgreSQL when DATABASE_URL is set (throwaway schema).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import * as Y from 'yjs';
import { createUser } from '../server/auth/users.ts';
import { describeUpdate } from '../server/collab/history.ts';
import { sqlDocumentStore } from '../server/collab/storage.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { loadBoardHistory } from '../server/hypotheses/board-history.ts';
import { hypothesisTimes } from '../server/hypotheses/times.ts';
import { declareIncident } from '../server/incidents/commands.ts';
import { addHypothesis, HYPOTHESIS_STATUSES, updateHypothesis } from '../server/shared/war-room-doc.ts';

const { values: args } = parseArgs({ options: { incidents: { type: 'string', default: '20' }, updates: { type: 'string', default: '2000' } } });
const INCIDENTS = Number(args.incidents);
const UPDATES = Number(args.updates);

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

async function open(): Promise<{ db: Database; cleanup: () => Promise<void>; kind: string }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_board_${Date.now().toString(36)}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create schema ${schema}`);
    const db = await openDatabase({ url, schema });
    return { db, kind: 'postgres', cleanup: async () => { await db.close(); await admin.unsafe(`drop schema ${schema} cascade`); await admin.end(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'warroom-bench-board-'));
  const db = await openDatabase({ dataDir: dir });
  return { db, kind: 'pglite', cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

const { db, cleanup, kind } = await open();
try {
  await migrate(db.sql);
  const user = await createUser(db.sql, { email: 'bench@example.com', displayName: 'Bench', passwordHash: 'x', role: 'member' });
  const by = { id: user.id, name: user.displayName };
  const store = sqlDocumentStore(db.sql);
  const ids: string[] = [];
  for (let n = 0; n < INCIDENTS; n++) {
    const declared = await declareIncident(db.sql, { id: user.id, displayName: 'Bench', isAdmin: false, automated: true }, { title: `Bench ${n}`, severity: 3 });
    if (!declared.ok) throw new Error(declared.message);
    ids.push(declared.incident.id);
    const doc = new Y.Doc({ gc: false });
    const cards: string[] = [];
    let pending: Uint8Array[] = [];
    let compacted: Uint8Array | undefined;
    doc.on('update', (update: Uint8Array) => pending.push(update));
    const at = Date.now() - 4 * 3_600_000;
    for (let i = 0; i < UPDATES; i++) {
      if (cards.length < 3 || random() < 0.05) cards.push(addHypothesis(doc, { statement: `Hypothesis ${i}`, owner: null, by }));
      else if (random() < 0.5) updateHypothesis(doc, cards[Math.floor(random() * cards.length)], by, { status: HYPOTHESIS_STATUSES[Math.floor(random() * 4)] });
      else updateHypothesis(doc, cards[Math.floor(random() * cards.length)], by, { statement: `Reworded ${i}` });
      const updates = pending;
      pending = [];
      await store.append(declared.incident.docId, updates.map((update, k) => ({ update, userId: user.id, receivedAt: new Date(at + i * 1000 + k), ids: describeUpdate(update) })));
      if ((i + 1) % 500 === 0) {
        const [{ seq }] = await db.sql<{ seq: number }>`select max(seq) as seq from document_updates where doc_id = ${declared.incident.docId}`;
        // Segments append: each holds what changed since the previous compaction, as the server's do.
        await store.compact(declared.incident.docId, [Y.encodeStateAsUpdate(doc, compacted)], Number(seq));
        compacted = Y.encodeStateVector(doc);
      }
    }
    updateHypothesis(doc, cards[0], by, { status: 'confirmed' });
    await store.append(declared.incident.docId, pending.map((update) => ({ update, userId: user.id, receivedAt: new Date(), ids: describeUpdate(update) })));
    doc.destroy();
  }
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  const [first] = await db.sql<{ doc_id: string }>`select doc_id from incidents where id = ${ids[0]}`;
  const oneCold = await time(() => loadBoardHistory(db.sql, first.doc_id));
  const allCold = await time(() => hypothesisTimes(db.sql, ids));
  const allWarm = await time(() => hypothesisTimes(db.sql, ids));
  console.log(`${kind}: board history of one ${UPDATES}-update war room ${oneCold.toFixed(0)} ms; ` +
    `${INCIDENTS} incidents read and cached ${allCold.toFixed(0)} ms; again from the cache ${allWarm.toFixed(1)} ms`);
} finally {
  await cleanup();
}
