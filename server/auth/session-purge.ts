import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';

const HOUR_MS = 60 * 60 * 1000;

/** Deletes sessions past their expiry; returns how many. */
export async function purgeExpiredSessions(sql: Sql): Promise<number> {
  const rows = await sql<{ id: string }>`delete from sessions where expires_at <= now() returning id`;
  return rows.length;
}

/**
 * Purges expired sessions at start-up and then every `intervalMs`. A session
 * that expired is refused anyway; purging keeps the table (and the user
 * agents and addresses it holds) from growing for ever. A failed purge is
 * logged and tried again next time.
 */
export class SessionPurge {
  readonly #sql: Sql;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;

  constructor(options: { sql: Sql; log: Logger; intervalMs?: number }) {
    this.#sql = options.sql;
    this.#log = options.log;
    this.#intervalMs = options.intervalMs ?? HOUR_MS;
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#running = this.#purge().finally(() => {
        this.#running = null;
        if (this.#timer) this.#timer = setTimeout(tick, this.#intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async #purge(): Promise<void> {
    try {
      const purged = await purgeExpiredSessions(this.#sql);
      if (purged > 0) this.#log.info({ purged }, 'expired sessions purged');
    } catch (error) {
      this.#log.error({ err: error }, 'could not purge expired sessions');
    }
  }
}
