/**
 * Starts N Warroom processes on consecutive ports and HAProxy in front of
 * them, for trying cluster mode locally (`npm run cluster`) and for the
 * cluster benchmarks, which kill and restart processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyConfig } from './haproxy-config.ts';
import { SERVER_NODE_FLAGS, serverEnvironment } from '../server-env.js';

const root = join(import.meta.dirname, '..', '..');

export interface ClusterOptions {
  nodes: number;
  /** The load balancer's port; processes take the next ones. */
  port: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  logLevel?: string;
  /** Where each line of the processes' output goes (default: this process's stdout, prefixed). */
  output?: (name: string, line: string) => void;
  env?: Record<string, string>;
}

export interface LaunchedNode {
  name: string;
  port: number;
  url: string;
  child: ChildProcess | null;
}

export class NodeLauncher {
  readonly nodes: LaunchedNode[];
  readonly url: string;
  readonly #options: ClusterOptions;
  #haproxy: ChildProcess | null = null;
  readonly #dir = mkdtempSync(join(tmpdir(), 'warroom-cluster-'));

  constructor(options: ClusterOptions) {
    this.#options = options;
    this.url = `http://127.0.0.1:${options.port}`;
    this.nodes = Array.from({ length: options.nodes }, (_, i) => {
      const port = options.port + 1 + i;
      return { name: `node-${i + 1}`, port, url: `http://127.0.0.1:${port}`, child: null };
    });
  }

  /** Says how to get HAProxy and the built app when they are missing; null when both are there. */
  static missing(): string | null {
    if (spawnSync('haproxy', ['-v']).status !== 0 && !existsSync('/usr/sbin/haproxy')) {
      return 'HAProxy is not installed: on Debian or Ubuntu run `sudo apt-get install haproxy` (macOS: `brew install haproxy`), then try again';
    }
    if (!existsSync(join(root, 'build', 'handler.js'))) return 'the web app is not built: run `npm run build` first';
    return null;
  }

  async start(): Promise<void> {
    // The first process applies migrations alone (they take an advisory lock anyway); the others start together.
    await this.startNode(this.nodes[0]);
    await Promise.all(this.nodes.slice(1).map((node) => this.startNode(node)));
    const config = join(this.#dir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig({ bind: `127.0.0.1:${this.#options.port}`, backends: this.nodes.map((n) => ({ name: n.name, host: '127.0.0.1', port: n.port })) }));
    const binary = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
    this.#haproxy = spawn(binary, ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#pipe('haproxy', this.#haproxy);
    await this.#waitReady(`${this.url}/readyz`, 'HAProxy');
  }

  /** Starts (or restarts) one process and resolves once it answers /readyz. */
  async startNode(node: LaunchedNode): Promise<void> {
    const o = this.#options;
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'server', 'main.ts')], {
      cwd: root,
      env: {
        ...serverEnvironment(process.env),
        PORT: String(node.port),
        HOST: '127.0.0.1',
        DATABASE_URL: o.databaseUrl,
        REDIS_URL: o.redisUrl,
        REDIS_PREFIX: o.redisPrefix,
        NODE_NAME: node.name,
        TRUSTED_PROXIES: '127.0.0.1',
        LOG_LEVEL: o.logLevel ?? 'info',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.child = child;
    this.#pipe(node.name, child);
    await this.#waitReady(`${node.url}/readyz`, node.name, child);
  }

  /** kill -9: no goodbye to its clients, commits in flight lost (clients resend them). */
  kill(node: LaunchedNode): Promise<void> {
    return this.#signal(node, 'SIGKILL');
  }

  /** SIGTERM: the rolling-restart path. */
  terminate(node: LaunchedNode): Promise<void> {
    return this.#signal(node, 'SIGTERM');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.terminate(node)));
    const haproxy = this.#haproxy;
    this.#haproxy = null;
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((resolve) => haproxy.once('exit', resolve));
      haproxy.kill('SIGTERM');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #signal(node: LaunchedNode, signal: NodeJS.Signals): Promise<void> {
    const child = node.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    node.child = null;
  }

  #pipe(name: string, child: ChildProcess): void {
    const out = this.#options.output ?? ((n: string, line: string) => process.stdout.write(`[${n}] ${line}\n`));
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop()!;
        for (const line of lines) if (line) out(name, line);
      });
    }
  }

  async #waitReady(url: string, what: string, child?: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last: unknown = null;
    while (Date.now() < deadline) {
      if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} while starting`);
      // Refused connections are expected until it listens; the last one is reported if it never does.
      last = await fetch(url).then((r) => (r.ok ? null : new Error(`status ${r.status}`)), (error: unknown) => error);
      if (last === null) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} did not become ready within 60 s (${url}): ${(last as Error)?.message}`);
  }
}
