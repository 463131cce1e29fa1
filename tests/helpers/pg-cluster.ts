/**
 * A throwaway PostgreSQL cluster of the test's own, on its own port, for
 * fault tests (restart, immediate stop) that must never touch the shared
 * server. Needs the PostgreSQL server binaries (/usr/lib/postgresql/<v>/bin);
 * run as root, the cluster runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

export const clusterAvailable = binDir() !== null;

export class PgCluster {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  readonly #bin: string;
  readonly #uid: { uid: number; gid: number } | null;

  constructor(port: number) {
    const bin = binDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    this.#bin = bin;
    this.port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.#dir = mkdtempSync(join(tmpdir(), 'warroom-pg-'));
    this.#uid = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : null;
    if (this.#uid) chownSync(this.#dir, this.#uid.uid, this.#uid.gid);
    this.#run('initdb', ['-D', this.#data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }

  get #data() {
    return join(this.#dir, 'data');
  }

  start(): void {
    this.#run('pg_ctl', ['-D', this.#data, '-l', join(this.#dir, 'log'), '-w', '-t', '30', '-o', `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1`, 'start']);
  }

  /** A clean restart: PostgreSQL ends every session (fast shutdown) and comes back. */
  restart(): void {
    this.#run('pg_ctl', ['-D', this.#data, '-l', join(this.#dir, 'log'), '-w', '-t', '30', '-m', 'fast', '-o', `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1`, 'restart']);
  }

  /** Like a crash: no shutdown checkpoint, sessions cut. */
  stopImmediately(): void {
    this.#run('pg_ctl', ['-D', this.#data, '-w', '-m', 'immediate', 'stop']);
  }

  destroy(): void {
    spawnSync(this.#exe('pg_ctl'), ['-D', this.#data, '-m', 'immediate', 'stop'], this.#options());
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #exe(name: string) {
    return join(this.#bin, name);
  }

  // Bounded: a postmaster that kept our pipes open would otherwise hang the test forever.
  #options() {
    return { cwd: this.#dir, stdio: 'pipe' as const, timeout: 60_000, ...(this.#uid ?? {}) };
  }

  #run(name: string, args: string[]): void {
    const result = spawnSync(this.#exe(name), args, this.#options());
    if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr?.toString() || result.stdout?.toString()}`);
  }
}
