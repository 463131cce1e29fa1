/**
 * A Redis server of the test's own, on a random port, to stop and start for
 * fault tests (the shared one is never touched). Nothing is persisted, so a
 * restart loses every message in flight, as a real one may.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './collab.ts';

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export class TestRedis {
  // Below the ephemeral range (32768+), where outgoing connections could already hold the port.
  readonly port = 12_000 + Math.floor(Math.random() * 8_000);
  readonly #dir = mkdtempSync(join(tmpdir(), 'warroom-redis-'));
  #child: ChildProcess | null = null;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], { stdio: 'ignore' });
    await waitFor(() => reachable(this.port), `redis-server on port ${this.port} to accept connections`);
  }

  /** Kills it at once (SIGKILL): no goodbye to its clients. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
