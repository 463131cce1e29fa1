/**
 * The servers the soak runs against, each its own process pinned to the
 * server core (bench/collab/process.ts), on fresh storage:
 *   warroom-pglite    our collaboration server (API + /collab) on embedded PGlite in a temp dir
 *   warroom-postgres  the same on PostgreSQL, in a throwaway schema dropped afterwards
 *   y-websocket       the in-memory @y/websocket-server, as its bin runs it: the reference
 * Warroom needs people (sign-up, invites) and a session cookie per person;
 * the reference takes anyone, so the same workload runs unchanged on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startPinned, type PinnedProcess } from '../collab/process.ts';
import { MEMORY_REPORT_MS, memoryIn, type ServerMemory } from './memory.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = [process.execPath, '--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

export type SoakTargetId = 'warroom-pglite' | 'warroom-postgres' | 'y-websocket';
export const SOAK_TARGETS: readonly SoakTargetId[] = ['warroom-pglite', 'warroom-postgres', 'y-websocket'];

export interface SoakServer {
  readonly label: string;
  readonly process: PinnedProcess;
  /** What the stock provider is given as its server URL; it appends the room name. */
  readonly wsBase: string;
  /** Headers each person's tabs send on the upgrade, as their browser would (one entry per person). */
  readonly people: Record<string, string>[];
  /** The server's latest report of its own memory (Warroom's only; null for the reference). */
  memory(): ServerMemory | null;
  /** Makes the server collect all its garbage (Warroom's only; false for the reference). */
  collectGarbage(): boolean;
  stop(): Promise<void>;
}

/** The caller's environment without anything that would point a server elsewhere. */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^(DATABASE_URL|DATA_DIR|DB_SCHEMA|PORT|HOST|LOG_LEVEL|COLLAB_.*)$/.test(name)) delete env[name];
  return { ...env, ...extra };
}

export interface SoakServerOptions {
  people: number;
  docId: string;
  postgresUrl: string | null;
  /** Wraps the server's command (e.g. in `nice`). */
  wrap: (command: string[]) => string[];
  /** Extra environment for Warroom's server. */
  env: Record<string, string>;
  /** A directory for Warroom's server to write a CPU profile into when it exits, or null. */
  cpuProfDir: string | null;
}

export async function startSoakServer(id: SoakTargetId, options: SoakServerOptions): Promise<SoakServer> {
  if (id === 'y-websocket') return startReference(options);
  return startWarroom(id, options);
}

async function startReference({ people, wrap }: SoakServerOptions): Promise<SoakServer> {
  const process = await startPinned({
    name: '@y/websocket-server',
    command: wrap([...NODE, join(ROOT, 'bench', 'collab', 'anchors', 'y-websocket-server.ts')]),
    env: cleanEnv({}),
    cwd: ROOT,
  });
  return {
    label: '@y/websocket-server (in memory)',
    process,
    wsBase: process.url,
    people: Array.from({ length: people }, () => ({})),
    memory: () => null,
    collectGarbage: () => false,
    stop: () => process.stop('SIGTERM', 30_000),
  };
}

async function startWarroom(id: 'warroom-pglite' | 'warroom-postgres', options: SoakServerOptions): Promise<SoakServer> {
  let storage: Record<string, string>;
  let cleanUp: () => Promise<void>;
  if (id === 'warroom-pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'warroom-soak-'));
    storage = { DATA_DIR: dataDir };
    cleanUp = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    if (!options.postgresUrl) throw new Error('warroom-postgres needs DATABASE_URL');
    const schema = `soak_${Date.now().toString(36)}`;
    await onPostgres(options.postgresUrl, `create schema ${schema}`);
    storage = { DATABASE_URL: options.postgresUrl, DB_SCHEMA: schema };
    cleanUp = () => onPostgres(options.postgresUrl!, `drop schema if exists ${schema} cascade`);
  }
  let process: PinnedProcess;
  let memory: ServerMemory | null = null;
  try {
    process = await startPinned({
      name: id,
      // --expose-gc: SIGUSR2 collects all garbage (see collab-child.ts), for the retained-memory figure.
      command: options.wrap([...NODE, '--expose-gc', ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []), join(ROOT, 'tests', 'helpers', 'collab-child.ts')]),
      env: cleanEnv({ ...storage, COLLAB_DOC_ID: options.docId, LOG_LEVEL: 'warn', MEMORY_REPORT_MS: String(MEMORY_REPORT_MS), ...options.env }),
      cwd: ROOT,
      onLine: (line) => {
        const report = memoryIn(line);
        if (report) memory = report;
        return report !== null;
      },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const cookies = await signUpPeople(process.url, options.people);
  return {
    label: id === 'warroom-pglite' ? 'Warroom, PGlite' : 'Warroom, PostgreSQL',
    process,
    wsBase: `${process.url.replace(/^http/, 'ws')}/collab`,
    people: cookies.map((cookie) => ({ cookie, origin: process.url })),
    memory: () => memory,
    collectGarbage: () => globalThis.process.kill(process.pid, 'SIGUSR2'),
    stop: async () => {
      await process.stop('SIGTERM', 30_000);
      await cleanUp();
    },
  };
}

async function onPostgres(url: string, statement: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}

/** The first person signs up as admin and invites the others, as a team would. */
async function signUpPeople(url: string, people: number): Promise<string[]> {
  const headers = { origin: url, 'content-type': 'application/json' };
  const signup = async (n: number, invite?: string) => {
    const response = await fetch(`${url}/api/auth/signup`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: `soak${n}@example.com`, displayName: `Person ${n}`, password: `soak test passphrase ${n}`, invite }),
    });
    if (response.status !== 201) throw new Error(`sign-up ${n}: ${response.status} ${await response.text()}`);
    return response.headers.getSetCookie()[0].split(';')[0];
  };
  const admin = await signup(0);
  const cookies = [admin];
  for (let n = 1; n < people; n++) {
    const invite = await fetch(`${url}/api/admin/invites`, { method: 'POST', headers: { ...headers, cookie: admin }, body: '{}' });
    const token = new URL(((await invite.json()) as { url: string }).url).searchParams.get('invite')!;
    cookies.push(await signup(n, token));
  }
  return cookies;
}
