/**
 * How many live connections one document, one person and one session may
 * hold, so no single member can fill a war room (or the server) with sockets:
 *   per document      COLLAB_MAX_CONNECTIONS_PER_DOC, except that role holders
 *                     (commander, scribe, communicator) always get in
 *   per user          COLLAB_MAX_CONNECTIONS_PER_USER on one document, and
 *                     COLLAB_MAX_CONNECTIONS_PER_USER_TOTAL across documents
 *   per session       half of each user cap: one browser, many tabs
 * A slot is taken synchronously when the upgrade is accepted, so concurrent
 * upgrades cannot all pass the check before any of them counts.
 */
export interface CapLimits {
  perDocument: number;
  perUserPerDocument: number;
  perUser: number;
}

export interface Applicant {
  docId: string;
  userId: string;
  sessionId: string;
  /** Holds a role in the document's incident. */
  roleHolder: boolean;
}

export type Admission = { ok: true; release(): void } | { ok: false; status: 429 | 503; message: string };

export class ConnectionCaps {
  readonly #limits: CapLimits;
  readonly #counts = new Map<string, number>();

  constructor(limits: CapLimits) {
    this.#limits = limits;
  }

  /** Open (or opening) connections to a document. */
  count(docId: string): number {
    return this.#counts.get(`doc ${docId}`) ?? 0;
  }

  admit(applicant: Applicant): Admission {
    const { perDocument, perUserPerDocument, perUser } = this.#limits;
    const { docId, userId, sessionId } = applicant;
    const keys = { doc: `doc ${docId}`, userDoc: `user ${userId} ${docId}`, user: `user ${userId}`, sessionDoc: `session ${sessionId} ${docId}`, session: `session ${sessionId}` };
    const now = (key: string) => this.#counts.get(key) ?? 0;
    if (now(keys.userDoc) >= perUserPerDocument || now(keys.sessionDoc) >= Math.ceil(perUserPerDocument / 2)) {
      return { ok: false, status: 429, message: 'You have too many connections open to this document. Close some tabs and try again.' };
    }
    if (now(keys.user) >= perUser || now(keys.session) >= Math.ceil(perUser / 2)) {
      return { ok: false, status: 429, message: 'You have too many live documents open. Close some tabs and try again.' };
    }
    if (now(keys.doc) >= perDocument && !applicant.roleHolder) {
      return { ok: false, status: 503, message: 'This document has too many connections. Try again in a moment.' };
    }
    const taken = Object.values(keys);
    for (const key of taken) this.#counts.set(key, now(key) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        for (const key of taken) {
          const left = now(key) - 1;
          if (left > 0) this.#counts.set(key, left);
          else this.#counts.delete(key);
        }
      },
    };
  }
}
