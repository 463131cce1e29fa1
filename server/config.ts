import { parseTrustedProxies, type TrustedProxies } from './trusted-proxies.ts';

/**
 * All configuration, parsed once from the environment. A bad value stops
 * start-up with one line naming the variable and what is wrong with it.
 */
export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  /** Public URL (scheme://host[:port]); unset → taken from each request. */
  origin?: string;
  /** Proxies whose X-Forwarded-For names the client; null → the TCP peer is the client. */
  trustedProxies: TrustedProxies | null;
  nodeEnv: 'production' | 'development' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Rooms with no clients are unloaded after this long. */
  collabUnloadMs: number;
  /** How long the replay keeps war rooms' histories loaded after its last request. */
  replayIdleMs: number;
  collabMaxMessageBytes: number;
  collabMaxConnectionsPerDoc: number;
  /** Per person on one document (half of it per session); role holders are not exempt from this one. */
  collabMaxConnectionsPerUser: number;
  /** Per person across all documents (half of it per session). */
  collabMaxConnectionsPerUserTotal: number;
  collabMessagesPerSecond: number;
  /** Bytes of document messages one person may send per second, over all their connections. */
  collabWriteBytesPerSecond: number;
  /** Size budget of one live document in storage; clients' changes past it are refused. */
  collabMaxDocumentBytes: number;
  /** Unsent bytes per connection before updates stop and a catch-up diff is owed instead. */
  collabMaxBufferedBytes: number;
  /** A postmortem's review is due this many days after resolution. */
  postmortemReviewDays: number;
  /** Set (with DATABASE_URL): cluster mode, several processes behind a load balancer share live documents through Redis. */
  redisUrl?: string;
  /** Prefix of Redis channels and keys, so several clusters can share one Redis. */
  redisPrefix: string;
  /** This process's name among the cluster's processes (default: host, port and process id). */
  nodeName?: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}=${raw} is not valid: use one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not valid: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: expected e.g. ${protocols[0]}//host`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')} (got ${parsed.protocol})`);
  }
  return raw;
}

function proxies(env: Env, name: string): TrustedProxies | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  try {
    return parseTrustedProxies(raw);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}; expected addresses or CIDR ranges separated by commas, e.g. 10.0.0.0/8, ::1`);
  }
}

export function parseConfig(env: Env): Config {
  const origin = url(env, 'ORIGIN', ['http:', 'https:']);
  if (origin) {
    const parsed = new URL(origin);
    if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
      throw new ConfigError(`ORIGIN=${origin} must be scheme://host[:port] with no path`);
    }
  }
  const host = env.HOST || '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError(`HOST=${host} is not a valid host name or address`);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  if (redisUrl && !databaseUrl) {
    throw new ConfigError('REDIS_URL is set but DATABASE_URL is not: several processes need one PostgreSQL server (embedded PGlite serves one process only)');
  }
  const redisPrefix = env.REDIS_PREFIX || 'warroom';
  if (!/^[\w.:-]{1,64}$/.test(redisPrefix)) throw new ConfigError(`REDIS_PREFIX=${redisPrefix} is not valid: letters, digits and . : _ - only`);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: env.DATA_DIR || './data',
    origin: origin ? new URL(origin).origin : undefined,
    trustedProxies: proxies(env, 'TRUSTED_PROXIES'),
    nodeEnv: oneOf(env, 'NODE_ENV', ['production', 'development', 'test'], 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    collabUnloadMs: integer(env, 'COLLAB_UNLOAD_MS', 30_000, 0, 86_400_000),
    replayIdleMs: integer(env, 'REPLAY_IDLE_MS', 60_000, 1000, 86_400_000),
    collabMaxMessageBytes: integer(env, 'COLLAB_MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    collabMaxConnectionsPerDoc: integer(env, 'COLLAB_MAX_CONNECTIONS_PER_DOC', 1000, 1, 100_000),
    collabMaxConnectionsPerUser: integer(env, 'COLLAB_MAX_CONNECTIONS_PER_USER', 20, 1, 10_000),
    collabMaxConnectionsPerUserTotal: integer(env, 'COLLAB_MAX_CONNECTIONS_PER_USER_TOTAL', 100, 1, 100_000),
    collabMessagesPerSecond: integer(env, 'COLLAB_MESSAGES_PER_SECOND', 200, 1, 100_000),
    collabWriteBytesPerSecond: integer(env, 'COLLAB_WRITE_BYTES_PER_SECOND', 512 * 1024, 1024, 1024 * 1024 * 1024),
    collabMaxDocumentBytes: integer(env, 'COLLAB_MAX_DOCUMENT_BYTES', 16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    collabMaxBufferedBytes: integer(env, 'COLLAB_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    postmortemReviewDays: integer(env, 'POSTMORTEM_REVIEW_DAYS', 3, 1, 365),
    redisUrl,
    redisPrefix,
    nodeName: env.NODE_NAME || undefined,
  };
}
