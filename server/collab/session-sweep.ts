/**
 * Closes the collaboration connections of sessions that ended (logout,
 * deactivation, expiry), with one query per interval for all of them, and
 * forgets the sessions upgrades remembered once they ended.
 *
 * Only connections that were open when the query was sent are judged by its
 * answer: a connection that arrived during the await carries a session the
 * query never asked about, and absence from the answer says nothing about it.
 */
import type { Logger } from '../log.ts';
import { CloseCode } from '../shared/close-codes.ts';
import type { Connection } from './connection.ts';

/** Which of these session ids are still valid. */
export type CheckSessions = (ids: string[]) => Promise<Set<string>>;

/** Sessions remembered for upgrades (see access-cache.ts): checked with the connections', forgotten once ended. */
export interface RememberedSessions {
  ids(): Iterable<string>;
  ended(ids: Set<string>): void;
}

export class SessionSweep {
  readonly #connections: () => Iterable<Connection>;
  readonly #remembered: RememberedSessions | undefined;
  readonly #check: CheckSessions;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #running = false;

  constructor(options: { connections: () => Iterable<Connection>; check: CheckSessions; log: Logger; intervalMs: number; remembered?: RememberedSessions }) {
    this.#connections = options.connections;
    this.#remembered = options.remembered;
    this.#check = options.check;
    this.#log = options.log;
    this.#timer = setInterval(() => void this.sweep(), options.intervalMs);
    this.#timer.unref();
  }

  async sweep(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const judged = [...this.#connections()].filter((connection) => !connection.closed);
      const asked = [...new Set([...judged.map((c) => c.sessionId), ...(this.#remembered?.ids() ?? [])])];
      if (asked.length === 0) return;
      const valid = await this.#check(asked);
      const ended = asked.filter((id) => !valid.has(id));
      if (ended.length > 0) this.#remembered?.ended(new Set(ended));
      for (const connection of judged) {
        if (connection.closed || valid.has(connection.sessionId)) continue;
        this.#log.info({ userId: connection.user.id, docId: connection.docId }, 'session ended; closing its collaboration connection');
        connection.close(CloseCode.SESSION_ENDED, 'session ended');
      }
    } catch (error) {
      this.#log.error({ err: error }, 'could not check the sessions of open collaboration connections');
    } finally {
      this.#running = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
