/**
 * `npm run bench -- access [--readers 500] [--rounds 3]`: how long a change
 * to an incident's people takes to reach every open connection of a full war
 * room, when each connection is a different person (so the server must
 * re-decide each of them; one person in many tabs is decided once).
 *
 * Warroom runs as `npm run serve` runs it, pinned to core 0, on PGlite and on
 * PostgreSQL (and, with --baseline-dir, another checkout's server beside it,
 * interleaved). On a fresh process the admin invites `readers` people, each
 * signs up through the API (their own session cookie) and opens a fresh
 * public incident's war room: non-participants of a public incident read.
 * Each round, on a new incident, measures two changes:
 *
 *   role change  the commander makes one of the readers scribe; the request
 *                answers once every open connection of the room has been
 *                re-decided and its decision applied (the API awaits it, so
 *                the answer is the moment the new roles are in place)
 *   made private every reader is now an outsider: from the request until the
 *                last reader's socket was closed with 4404, seen by the readers
 */
import { parseArgs } from 'node:util';
import { CollabClient, connectMany, type Endpoint } from './collab/client.ts';
import { pinLoadGenerator, waitForQuiet } from './collab/process.ts';
import { describeMachine, renderReport } from './collab/report.ts';
import { Results, type Row } from './collab/results.ts';
import { WarroomTarget } from './collab/targets.ts';
import { CloseCode } from '../server/shared/close-codes.ts';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'warroom-pglite,warroom-postgres' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'baseline-dir': { type: 'string' },
  },
});
const READERS = Number(args.readers);
const ROUNDS = Number(args.rounds);
const INVITES_AT_ONCE = 50;
/** Sign-ups hash a password (argon2) on the server's one core; a few at a time keep it busy without queueing hundreds. */
const SIGNUPS_AT_ONCE = 4;
const CHANGE_TIMEOUT_MS = 60_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
const machine = describeMachine();
await pinLoadGenerator();

const wanted = args.targets!.split(',');
const candidates = [
  new WarroomTarget('pglite', args['postgres-url']!),
  new WarroomTarget('postgres', args['postgres-url']!),
  ...(args['baseline-dir']
    ? [new WarroomTarget('pglite', args['postgres-url']!, args['baseline-dir'], { variant: 'baseline' }), new WarroomTarget('postgres', args['postgres-url']!, args['baseline-dir'], { variant: 'baseline' })]
    : []),
];
// A baseline goes beside each target asked for.
const targets = candidates.filter((t) => wanted.some((id) => t.id === id || t.id === `${id}-baseline`));
const results = new Results();
const readers = READERS.toLocaleString('en-US');
const roleRow: Row = { key: 'role', title: `role change: request answered, every connection re-decided, ms (${readers} readers, each a different person)`, better: 'lower', digits: [1] };
const privateRow: Row = { key: 'private', title: `made private: request until every reader was closed with 4404, ms (${readers} readers)`, better: 'lower', digits: [1] };
const emptyRow: Row = { key: 'role-empty', title: 'role change in a room with nobody else in it, ms (the command alone)', better: 'lower', digits: [1] };

interface Reader {
  id: string;
  cookie: string;
}

/** `count` people, invited by the admin and signed up through the API, each with their own session. */
async function signUpReaders(target: WarroomTarget, count: number): Promise<Reader[]> {
  const tokens: string[] = [];
  for (let first = 0; first < count; first += INVITES_AT_ONCE) {
    const emails = Array.from({ length: Math.min(INVITES_AT_ONCE, count - first) }, (_, i) => `reader-${first + i}@example.com`);
    const { body } = await target.api<{ invites: { url: string }[] }>('POST', '/api/admin/invites/batch', { emails }, { status: 201 });
    tokens.push(...body.invites.map((invite) => new URL(invite.url).searchParams.get('invite')!));
  }
  const signedUp: Reader[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const { body, cookie } = await target.api<{ user: { id: string } }>(
        'POST',
        '/api/auth/signup',
        { email: `reader-${i}@example.com`, displayName: `Reader ${i}`, password: 'benchmark passphrase', invite: tokens[i] },
        { cookie: '', status: 201 },
      );
      signedUp[i] = { id: body.user.id, cookie };
    }
  };
  await Promise.all(Array.from({ length: SIGNUPS_AT_ONCE }, lane));
  return signedUp;
}

/** Every reader in the war room, each on its own socket; `closes` gets each close, timed. */
async function openRoom(target: WarroomTarget, doc: string, people: Reader[]) {
  const closes: { code: number; at: number }[] = [];
  const endpoints: Endpoint[] = people.map((person) => target.endpointAs(doc, person.cookie));
  const clients = await connectMany(people.length, 50, async (i) => {
    const client = new CollabClient(endpoints[i], { timeoutMs: 60_000, onClose: (code, at) => closes.push({ code, at }) });
    await client.synced;
    return client;
  });
  return { clients, closes };
}

/** Polls `done` every 2 ms (the readers' close events land in between), bounded. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + CHANGE_TIMEOUT_MS;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function declare(target: WarroomTarget, title: string): Promise<{ ref: string; docId: string }> {
  const { body } = await target.api<{ incident: { ref: string; docId: string } }>('POST', '/api/incidents', { title, severity: 3 }, { status: 201 });
  return body.incident;
}

async function measureRound(target: WarroomTarget, people: Reader[], round: number): Promise<void> {
  // The command alone: the same role change with nobody in the room.
  const empty = await declare(target, `Empty room ${round}`);
  let t0 = performance.now();
  await target.api('POST', `/api/incidents/${empty.ref}/roles`, { role: 'scribe', userId: people[0].id });
  results.add(emptyRow, target.id, { values: [performance.now() - t0] });

  const incident = await declare(target, `Full room ${round}`);
  const { clients, closes } = await openRoom(target, incident.docId, people);
  try {
    await waitForQuiet([target.pid]);
    t0 = performance.now();
    await target.api('POST', `/api/incidents/${incident.ref}/roles`, { role: 'scribe', userId: people[round % people.length].id });
    const role = performance.now() - t0;
    // The new scribe is now a responder who writes: only their socket is told to reconnect, and it was before the answer.
    await until(() => closes.length >= 1, 'the new scribe to be told to reconnect');
    if (closes.length !== 1 || closes[0].code !== CloseCode.ACCESS_CHANGED) throw new Error(`a role change closed ${closes.map((c) => c.code).join(', ')}`);
    closes.length = 0;
    results.add(roleRow, target.id, { values: [role] });

    await waitForQuiet([target.pid]);
    t0 = performance.now();
    await target.api('PATCH', `/api/incidents/${incident.ref}`, { private: true });
    const answered = performance.now() - t0;
    // Everyone but the scribe (a participant now, whose socket is already gone) is an outsider of a private incident.
    await until(() => closes.length >= people.length - 1, 'every reader to be cut');
    const wrong = closes.filter((c) => c.code !== CloseCode.ACCESS_REVOKED);
    if (closes.length !== people.length - 1 || wrong.length > 0) throw new Error(`made private: ${closes.length} of ${people.length - 1} closed, ${wrong.length} with another code`);
    const last = Math.max(...closes.map((c) => c.at)) - t0;
    results.add(privateRow, target.id, { values: [last], notes: [`request answered after ${answered.toFixed(1)} ms`] });
    log(`  ${target.label} round ${round}: role change ${role.toFixed(1)} ms; made private ${last.toFixed(1)} ms (answered ${answered.toFixed(1)} ms)`);
  } finally {
    for (const client of clients) client.close();
  }
}

try {
  const people = new Map<WarroomTarget, Reader[]>();
  for (const target of targets) {
    const t = performance.now();
    await target.fresh();
    people.set(target, await signUpReaders(target, READERS));
    log(`${target.label}: ${READERS} readers signed up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of round % 2 === 0 ? [...targets].reverse() : targets) await measureRound(target, people.get(target)!, round);
  }
} finally {
  for (const target of targets) await target.dispose().catch((error) => log(`stopping ${target.label}: ${(error as Error).message}`));
}

const settings = [
  'Each server ran as its own process pinned to core 0 (taskset, checked); the load generator was pinned to core 1. PostgreSQL is not pinned.',
  `Every reader is a different person with their own session, none a participant of the public incident (so each reads). One process: its ${readers} readers signed up once, then each round declares two new incidents.`,
  `${ROUNDS} round(s), targets in turn (reversed every other round); a cell is the median of its rounds.`,
];
console.log(`\n${renderReport({ machine, targets, results, settings, elapsedMs: performance.now() - started })}`);
process.exit(0);
