/**
 * A server the benchmark did not start (`--url`): a Warroom at http(s)://…
 * (the benchmark logs in, or signs up the first admin, and declares an
 * incident per document), or any y-websocket or Hocuspocus server at
 * ws://…. It cannot be restarted or given fresh storage, so the memory,
 * cold-sync and storm figures are not measured on it (rather than measuring
 * a warm server and calling it cold); with `--pid` its CPU is reported.
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint } from './client.ts';
import type { PinnedProcess } from './process.ts';
import type { Target } from './targets.ts';
import { hocuspocus, yWebsocket, type Dialect } from './wire.ts';

export interface ExternalOptions {
  url: string;
  dialect: 'y-websocket' | 'hocuspocus';
  pid: number | null;
  email: string;
  password: string;
}

export class ExternalTarget implements Target {
  readonly id = 'external';
  readonly label: string;
  readonly dialect: Dialect;
  readonly isWarroom: boolean;
  readonly durable = false;
  readonly owned = false;
  readonly pid: number | null;
  readonly #options: ExternalOptions;
  readonly #base: string;
  #cookie = '';
  #counter = 0;

  constructor(options: ExternalOptions) {
    this.#options = options;
    this.#base = options.url.replace(/\/$/, '');
    this.isWarroom = /^https?:/.test(this.#base);
    if (!this.isWarroom && !/^wss?:/.test(this.#base)) throw new Error(`--url ${options.url}: use http(s):// for a Warroom, ws(s):// for another Yjs server`);
    this.dialect = this.isWarroom || options.dialect === 'y-websocket' ? yWebsocket : hocuspocus;
    this.label = this.isWarroom ? `Warroom at ${this.#base}` : `${options.dialect} at ${this.#base}`;
    this.pid = options.pid;
  }

  get process(): PinnedProcess {
    throw new Error(`${this.label} was not started by the benchmark`);
  }

  async fresh(): Promise<void> {
    if (this.isWarroom && !this.#cookie) await this.#logIn();
  }

  async restart(): Promise<void> {
    throw new Error(`${this.label} was not started by the benchmark, so it cannot be restarted`);
  }

  async newDocument(): Promise<Endpoint> {
    if (!this.isWarroom) return this.endpoint(`bench-${++this.#counter}-${randomBytes(4).toString('hex')}`);
    const response = await fetch(`${this.#base}/api/incidents`, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Benchmark room ${++this.#counter}`, severity: 4, drill: true }),
    });
    if (response.status !== 201) throw new Error(`declaring an incident failed: HTTP ${response.status} ${await response.text()}`);
    const { incident } = (await response.json()) as { incident: { docId: string } };
    return this.endpoint(incident.docId);
  }

  endpoint(doc: string): Endpoint {
    if (!this.isWarroom) {
      const url = this.dialect === hocuspocus ? this.#base : `${this.#base}/${doc}`;
      return { url, doc, dialect: this.dialect, headers: {} };
    }
    return { url: `${this.#base.replace(/^http/, 'ws')}/collab/${doc}`, doc, dialect: this.dialect, headers: this.#headers() };
  }

  async dispose(): Promise<void> {}

  #headers(): Record<string, string> {
    return { cookie: this.#cookie, origin: new URL(this.#base).origin };
  }

  async #logIn(): Promise<void> {
    const state = await fetch(`${this.#base}/api/auth/state`);
    const { needsFirstAdmin } = (await state.json()) as { needsFirstAdmin: boolean };
    const body: Record<string, string> = { email: this.#options.email, password: this.#options.password };
    if (needsFirstAdmin) body.displayName = 'Benchmark';
    const response = await fetch(`${this.#base}/api/auth/${needsFirstAdmin ? 'signup' : 'login'}`, {
      method: 'POST',
      headers: { origin: new URL(this.#base).origin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`logging in to ${this.#base} as ${this.#options.email} failed: HTTP ${response.status} ${await response.text()}`);
    this.#cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }
}
