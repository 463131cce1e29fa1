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
  nodeEnv: 'production' | 'development' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Rooms with no clients are unloaded after this long. */
  collabUnloadMs: number;
  collabMaxMessageBytes: number;
  collabMaxConnectionsPerDoc: number;
  collabMessagesPerSecond: number;
  /** A postmortem's review is due this many days after resolution. */
  postmortemReviewDays: number;
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
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: env.DATA_DIR || './data',
    origin: origin ? new URL(origin).origin : undefined,
    nodeEnv: oneOf(env, 'NODE_ENV', ['production', 'development', 'test'], 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    collabUnloadMs: integer(env, 'COLLAB_UNLOAD_MS', 30_000, 0, 86_400_000),
    collabMaxMessageBytes: integer(env, 'COLLAB_MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    collabMaxConnectionsPerDoc: integer(env, 'COLLAB_MAX_CONNECTIONS_PER_DOC', 1000, 1, 100_000),
    collabMessagesPerSecond: integer(env, 'COLLAB_MESSAGES_PER_SECOND', 200, 1, 100_000),
    postmortemReviewDays: integer(env, 'POSTMORTEM_REVIEW_DAYS', 3, 1, 365),
  };
}
