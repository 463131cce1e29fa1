/**
 * The servers measured side by side. Each is its own process pinned to the
 * server core; each measurement gets a fresh document, and `fresh()` gives a
 * new process on new storage where a figure needs one (memory, restarts).
 *
 * Warroom runs exactly as `npm run serve` runs it (server/main.ts, the built
 * app), and the benchmark signs up and declares an incident through the API
 * like a browser, then opens the incident's document with the session cookie.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import type { Endpoint } from './client.ts';
import { startPinned, type PinnedProcess } from './process.ts';
import { hocuspocus, yWebsocket, type Dialect } from './wire.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
const ANCHORS = join(import.meta.dirname, 'anchors');
const NODE_FLAGS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

export interface FreshOptions {
  durable?: boolean;
  inspect?: boolean;
}

export interface Target {
  readonly id: string;
  readonly label: string;
  readonly dialect: Dialect;
  readonly isWarroom: boolean;
  /** Whether documents survive a restart of the process, in the configuration `fresh` was last given. */
  readonly durable: boolean;
  readonly process: PinnedProcess;
  /** The server's process id when known (CPU and memory figures need it). */
  readonly pid: number | null;
  /** False for a server the benchmark did not start: it can neither restart it nor give it fresh storage. */
  readonly owned: boolean;
  /**
   * A new process on new, empty storage (`durable`: the anchors keep documents
   * on disk, if they can; `inspect`: with the V8 inspector on, for forced GC).
   */
  fresh(options?: FreshOptions): Promise<void>;
  /** Stops the process cleanly (SIGTERM) and starts it again on the same storage. */
  restart(): Promise<void>;
  newDocument(): Promise<Endpoint>;
  /** Where an existing document is now (after a restart the port and origin change). */
  endpoint(doc: string): Endpoint;
  /** Stops the process and removes its storage. */
  dispose(): Promise<void>;
}

/** Environment for a server process: the caller's, minus anything that would point it elsewhere. */
function serverEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|DATA_DIR|ORIGIN|PORT|HOST|NODE_ENV|LOG_LEVEL|TRUSTED_PROXIES|COLLAB_.*|HOCUSPOCUS_.*|YPERSISTENCE)$/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * `npm run serve`, read from package.json so the benchmark follows it if it
 * changes: the last `node …` of an `a && b` chain is the server, pinned; the
 * steps before it (e.g. a Node version check) run once, here, and must pass.
 */
function serveCommand(root: string): string[] {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const steps = scripts.serve.split('&&').map((step) => step.trim().split(/\s+/));
  for (const [program] of steps) {
    if (program !== 'node') throw new Error(`npm run serve is "${scripts.serve}"; the benchmark only knows how to run "node …" steps`);
  }
  for (const [, ...args] of steps.slice(0, -1)) execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return [process.execPath, ...steps[steps.length - 1].slice(1)];
}

const packageVersion = (name: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;

/**
 * Limits a real deployment keeps but this workload would trip: the writer
 * sends thousands of messages a second at saturation (more bytes a second
 * than one person's write budget allows), the memory figure puts
 * 1,000 clients in one room, and every client is the same signed-in user
 * (per-user caps, where a server has them). A server that does not know one
 * of these names ignores it. Rooms unload 1 s after their last client
 * leaves, so a finished measurement's unload and compaction happen before
 * the next one starts rather than in the middle of it.
 */
export const WARROOM_BENCH_ENV = {
  COLLAB_MESSAGES_PER_SECOND: '100000',
  COLLAB_WRITE_BYTES_PER_SECOND: String(1024 * 1024 * 1024),
  COLLAB_MAX_CONNECTIONS_PER_DOC: '5000',
  COLLAB_MAX_CONNECTIONS_PER_USER: '10000',
  COLLAB_MAX_CONNECTIONS_PER_USER_TOTAL: '100000',
  COLLAB_UNLOAD_MS: '1000',
};

abstract class BaseTarget {
  #process: PinnedProcess | null = null;
  protected counter = 0;
  /** Extra environment for every start until the next `fresh`. */
  protected extraEnv: Record<string, string> = {};
  readonly owned = true;

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  get process(): PinnedProcess {
    if (!this.#process) throw new Error('the server is not running');
    return this.#process;
  }

  protected async launch(name: string, command: string[], env: Record<string, string>, cwd = ROOT): Promise<void> {
    this.#process = await startPinned({ name, command, env: serverEnv({ ...this.extraEnv, ...env }), cwd });
  }

  protected setInspect(inspect: boolean | undefined): void {
    this.extraEnv = inspect ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim() } : {};
  }

  protected async halt(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.#process?.stop(signal);
    this.#process = null;
  }
}

export type WarroomStorage = 'pglite' | 'postgres';

export class WarroomTarget extends BaseTarget implements Target {
  readonly id: string;
  readonly label: string;
  readonly dialect = yWebsocket;
  readonly isWarroom = true;
  readonly durable = true;
  readonly #storage: WarroomStorage;
  readonly #postgresUrl: string;
  /** The checkout whose server is measured (this one unless --server-dir says otherwise). */
  readonly #root: string;
  #dataDir: string | null = null;
  #database: string | null = null;
  #cookie = '';

  /** Where each Warroom server process writes a V8 CPU profile when it stops (--cpu-prof), if anywhere. */
  readonly #profileDir: string | null;

  /** `variant` tells apart a second checkout measured beside this one (e.g. "baseline"). */
  constructor(storage: WarroomStorage, postgresUrl: string, root = ROOT, options: { profileDir?: string | null; variant?: string } = {}) {
    super();
    this.#profileDir = options.profileDir ?? null;
    this.#storage = storage;
    this.#postgresUrl = postgresUrl;
    this.#root = root;
    this.id = `warroom-${storage}${options.variant ? `-${options.variant}` : ''}`;
    this.label = `${storage === 'pglite' ? 'Warroom PGlite' : 'Warroom PostgreSQL'}${options.variant ? ` (${options.variant})` : ''}`;
  }

  get #base(): string {
    return this.process.url;
  }

  async fresh(options: FreshOptions = {}): Promise<void> {
    await this.dispose();
    this.setInspect(options.inspect);
    if (this.#storage === 'pglite') {
      this.#dataDir = mkdtempSync(join(tmpdir(), 'warroom-bench-'));
    } else {
      this.#database = `warroom_bench_${randomBytes(6).toString('hex')}`;
      await this.#admin((sql) => sql.unsafe(`create database ${this.#database}`));
    }
    await this.#start();
    await this.#signUp();
  }

  async restart(): Promise<void> {
    await this.halt('SIGTERM');
    await this.#start();
  }

  async newDocument(): Promise<Endpoint> {
    const response = await fetch(`${this.#base}/api/incidents`, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Benchmark room ${++this.counter}`, severity: 3 }),
    });
    if (response.status !== 201) throw new Error(`declaring an incident failed: HTTP ${response.status} ${await response.text()}`);
    const { incident } = (await response.json()) as { incident: { docId: string } };
    return this.endpoint(incident.docId);
  }

  endpoint(doc: string): Endpoint {
    return { url: `${this.#base.replace(/^http/, 'ws')}/collab/${doc}`, doc, dialect: this.dialect, headers: this.#headers() };
  }

  /** A JSON request to the API, as the benchmark's admin (or as the holder of `cookie`); throws unless it answers `status`. */
  async api<T = unknown>(method: string, path: string, body?: unknown, options: { cookie?: string; status?: number } = {}): Promise<{ body: T; cookie: string }> {
    const response = await fetch(`${this.#base}${path}`, {
      method,
      headers: { ...this.#headers(), ...(options.cookie === undefined ? {} : { cookie: options.cookie }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== (options.status ?? 200)) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return { body: (text ? JSON.parse(text) : null) as T, cookie: cookieOf(response) };
  }

  /** `endpoint(doc)` for another signed-in person's browser. */
  endpointAs(doc: string, cookie: string): Endpoint {
    return { ...this.endpoint(doc), headers: { ...this.#headers(), cookie } };
  }

  async dispose(): Promise<void> {
    await this.halt('SIGTERM');
    if (this.#dataDir) rmSync(this.#dataDir, { recursive: true, force: true });
    this.#dataDir = null;
    if (this.#database) {
      const name = this.#database;
      await this.#admin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`));
    }
    this.#database = null;
  }

  /** What a browser sends: the session cookie, and the page's origin on every upgrade. */
  #headers(): Record<string, string> {
    return { cookie: this.#cookie, origin: this.#base };
  }

  async #start(): Promise<void> {
    const storage: Record<string, string> =
      this.#storage === 'pglite' ? { DATA_DIR: this.#dataDir! } : { DATABASE_URL: this.#databaseUrl(this.#database!) };
    const profile: Record<string, string> = this.#profileDir
      ? { NODE_OPTIONS: `${this.extraEnv.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${this.#profileDir}`.trim() }
      : {};
    await this.launch(this.label, serveCommand(this.#root), { PORT: '0', HOST: '127.0.0.1', ...WARROOM_BENCH_ENV, ...storage, ...profile }, this.#root);
  }

  async #signUp(): Promise<void> {
    const response = await fetch(`${this.#base}/api/auth/signup`, {
      method: 'POST',
      headers: { origin: this.#base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', displayName: 'Benchmark', password: 'benchmark passphrase' }),
    });
    if (response.status !== 201) throw new Error(`signing up failed: HTTP ${response.status} ${await response.text()}`);
    const cookie = cookieOf(response);
    if (!cookie) throw new Error('signing up set no cookie');
    this.#cookie = cookie;
  }

  #databaseUrl(database: string): string {
    const url = new URL(this.#postgresUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }

  async #admin(run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
    const sql = postgres(this.#postgresUrl, { max: 1, onnotice: () => {} });
    try {
      await run(sql);
    } finally {
      await sql.end();
    }
  }
}

/** Whatever cookies a response sets, sent back as a browser would (the session is one of them). */
const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

export class YWebsocketTarget extends BaseTarget implements Target {
  readonly id = 'y-websocket';
  readonly label = `@y/websocket-server ${packageVersion('@y/websocket-server')}`;
  readonly dialect = yWebsocket;
  readonly isWarroom = false;
  /** It keeps documents in memory only (its LevelDB persistence is not part of the comparison). */
  readonly durable = false;

  async fresh(options: FreshOptions = {}): Promise<void> {
    await this.halt();
    this.setInspect(options.inspect);
    await this.launch(this.label, [process.execPath, ...NODE_FLAGS, join(ANCHORS, 'y-websocket-server.ts')], {});
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.launch(this.label, [process.execPath, ...NODE_FLAGS, join(ANCHORS, 'y-websocket-server.ts')], {});
  }

  async newDocument(): Promise<Endpoint> {
    return this.endpoint(`bench-${++this.counter}-${randomBytes(4).toString('hex')}`);
  }

  endpoint(doc: string): Endpoint {
    return { url: `${this.process.url}/${doc}`, doc, dialect: this.dialect, headers: {} };
  }

  async dispose(): Promise<void> {
    await this.halt();
  }
}

export class HocuspocusTarget extends BaseTarget implements Target {
  readonly id = 'hocuspocus';
  readonly label = `@hocuspocus/server ${packageVersion('@hocuspocus/server')}`;
  readonly dialect = hocuspocus;
  readonly isWarroom = false;
  #sqliteDir: string | null = null;
  /** Why its SQLite extension cannot run here, if it cannot. */
  readonly sqliteProblem: string | null;

  constructor() {
    super();
    this.sqliteProblem = sqliteProblem();
  }

  get durable(): boolean {
    return this.#sqliteDir !== null;
  }

  async fresh(options: FreshOptions = {}): Promise<void> {
    await this.dispose();
    this.setInspect(options.inspect);
    if (options.durable && !this.sqliteProblem) this.#sqliteDir = mkdtempSync(join(tmpdir(), 'hocuspocus-bench-'));
    await this.#start();
  }

  async restart(): Promise<void> {
    await this.halt('SIGTERM');
    await this.#start();
  }

  async newDocument(): Promise<Endpoint> {
    return this.endpoint(`bench-${++this.counter}-${randomBytes(4).toString('hex')}`);
  }

  endpoint(doc: string): Endpoint {
    return { url: this.process.url, doc, dialect: this.dialect, headers: {} };
  }

  async dispose(): Promise<void> {
    await this.halt('SIGTERM');
    if (this.#sqliteDir) rmSync(this.#sqliteDir, { recursive: true, force: true });
    this.#sqliteDir = null;
  }

  async #start(): Promise<void> {
    const env: Record<string, string> = this.#sqliteDir ? { HOCUSPOCUS_SQLITE: join(this.#sqliteDir, 'documents.sqlite') } : {};
    await this.launch(this.label, [process.execPath, ...NODE_FLAGS, join(ANCHORS, 'hocuspocus-server.ts')], env);
  }
}

/** The SQLite extension needs better-sqlite3's native module built for this Node. */
function sqliteProblem(): string | null {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    new Database(':memory:').close();
    return null;
  } catch (error) {
    const nodeDir = dirname(dirname(process.execPath));
    return `${(error as Error).message.split('\n')[0]}; "npm rebuild better-sqlite3 --nodedir=${nodeDir}" builds it for this Node`;
  }
}
