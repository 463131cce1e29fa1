/**
 * Which processes are up, with their rooms and connections: each process
 * writes its line into one Redis hash every few seconds; a line older than a
 * few beats is a process that is gone (a crash leaves no goodbye), and
 * whoever reads it removes it.
 */
import type { RedisClientType } from 'redis';
import type { Logger } from '../log.ts';

export interface ProcessLine {
  node: string;
  pid: number;
  startedAt: string;
  seenAt: string;
  rooms: number;
  connections: number;
  redis: 'up' | 'down';
  /** True while it drains for a restart. */
  stopping: boolean;
}

const BEAT_MS = 2000;
const GONE_AFTER_MS = 3 * BEAT_MS;

export class NodeRegistry {
  readonly #redis: RedisClientType;
  readonly #key: string;
  readonly #line: () => Omit<ProcessLine, 'seenAt'>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { redis: RedisClientType; prefix: string; line: () => Omit<ProcessLine, 'seenAt'>; log: Logger }) {
    this.#redis = options.redis;
    this.#key = `${options.prefix}:processes`;
    this.#line = options.line;
    this.#log = options.log;
  }

  start(): void {
    void this.beat();
    this.#timer = setInterval(() => void this.beat(), BEAT_MS);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    if (!this.#redis.isReady) return;
    const line: ProcessLine = { ...this.#line(), seenAt: new Date().toISOString() };
    try {
      await this.#redis.hSet(this.#key, line.node, JSON.stringify(line));
    } catch (error) {
      this.#log.debug({ err: error }, 'could not write this process into the process list; next beat retries');
    }
  }

  /** The processes seen within the last few beats, by name; only this one while Redis is away. */
  async list(): Promise<ProcessLine[]> {
    const own: ProcessLine = { ...this.#line(), seenAt: new Date().toISOString() };
    if (!this.#redis.isReady) return [own];
    let all: Record<string, string>;
    try {
      all = await this.#redis.hGetAll(this.#key);
    } catch (error) {
      this.#log.warn({ err: error }, 'could not read the process list from Redis; listing this process only');
      return [own];
    }
    const lines: ProcessLine[] = [];
    for (const [node, text] of Object.entries(all)) {
      const line = JSON.parse(text) as ProcessLine;
      if (Date.now() - Date.parse(line.seenAt) > GONE_AFTER_MS) await this.#redis.hDel(this.#key, node);
      else lines.push(line);
    }
    return lines.sort((a, b) => a.node.localeCompare(b.node));
  }

  async stop(node: string): Promise<void> {
    clearInterval(this.#timer ?? undefined);
    if (!this.#redis.isReady) return;
    await this.#redis.hDel(this.#key, node).catch((error) => this.#log.debug({ err: error }, 'could not remove this process from the process list; it ages out'));
  }
}
