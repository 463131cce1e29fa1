import type { LiveDocuments } from '../../server/incidents/live.ts';
import type { CollabServer } from '../../server/collab/collab-server.ts';
import { parseConfig, type Config } from '../../server/config.ts';
import { startServer, type RunningServer, type UpgradeHandler } from '../../server/http-server.ts';
import { createLogger } from '../../server/log.ts';
import type { ReplayService } from '../../server/replay/service.ts';
import type { Database } from '../../server/db/database.ts';
import { createServices, type ServicesOptions } from '../../server/wiring/services.ts';
import type { PagesHandler } from '../../server/http/pages.ts';

export interface TestServer extends RunningServer {
  config: Config;
  /** The live-document server behind /collab. */
  collab: CollabServer;
  /** Domain code's named commands and reads on live documents, as the app's routes use them. */
  live: LiveDocuments;
  /** Time travel's loader and worker thread (it says when it hands a document to the worker). */
  replay: ReplayService;
  /** A new cookie-holding HTTP client, like one browser. */
  client(): TestClient;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  loginLimit?: number;
  /** Replaces the collab upgrade handler. */
  onUpgrade?: UpgradeHandler;
  /** Options for the collab server (e.g. an injected `decideAccess`). */
  collab?: ServicesOptions['collab'];
  pingIntervalMs?: number;
  /** How long a connection may be sent nothing before it is sent NOTHING_NEW. */
  keepaliveMs?: number;
  /** What answers page requests (in production, SvelteKit's built handler). */
  pages?: PagesHandler;
  /** This process's part in a cluster (cluster tests). */
  cluster?: ServicesOptions['cluster'];
}

/** The real app on 127.0.0.1 with port 0, over the given database, with live documents on /collab. */
export async function startTestServer(db: Database, options: TestServerOptions = {}): Promise<TestServer> {
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0', ...options.env });
  const log = createLogger(config.logLevel);
  const services = createServices({
    sql: db.sql,
    config,
    log,
    pages: options.pages,
    loginLimit: options.loginLimit,
    cluster: options.cluster,
    collab: options.collab,
    pingIntervalMs: options.pingIntervalMs,
    keepaliveMs: options.keepaliveMs,
  });
  const { app, collab, live, replay } = services;
  const running = await startServer({ app, port: 0, host: '127.0.0.1', log, onUpgrade: options.onUpgrade ?? services.onUpgrade });
  return {
    ...running,
    config,
    collab,
    live,
    replay,
    async close(graceMs) {
      await collab.close();
      await running.close(graceMs);
      await replay.close();
    },
    client: () => new TestClient(running.url),
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends JSON like our own pages do (same Origin) and keeps the session cookie. */
export class TestClient {
  readonly baseUrl: string;
  cookie: string | null = null;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        origin: this.baseUrl,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('warroom_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0];
      this.cookie = /max-age=0|expires=thu, 01 jan 1970/i.test(setCookie) || value === 'warroom_session=' ? null : value;
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
}

let counter = 0;
/** Signs up a user (first one becomes admin; later ones need `invite`) and returns their client. */
export async function signUpUser(
  server: TestServer,
  options: { invite?: string; name?: string; email?: string; password?: string } = {},
): Promise<{ client: TestClient; user: { id: string; email: string; role: string; displayName: string }; password: string }> {
  const n = ++counter;
  const client = server.client();
  const password = options.password ?? `battery staple ${n} horse`;
  const email = options.email ?? `user${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const response = await client.post('/api/auth/signup', {
    email,
    displayName: options.name ?? `User ${n}`,
    password,
    invite: options.invite,
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { client, user: response.body.user, password };
}

/** Creates an admin, and helpers that sign up further members through invites. */
export async function withAdmin(server: TestServer) {
  const admin = await signUpUser(server, { name: 'Admin' });
  const member = async (name?: string) => {
    const invite = await admin.client.post('/api/admin/invites', {});
    const token = new URL(invite.body.url).searchParams.get('invite')!;
    return signUpUser(server, { invite: token, name });
  };
  return { admin, member };
}
