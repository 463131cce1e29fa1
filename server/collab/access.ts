/**
 * What the collaboration core asks of the rest of the application, as
 * functions handed to it at start-up (Hocuspocus's onAuthenticate works the
 * same way). The core knows nothing of incidents, postmortems or login
 * sessions: `server/wiring/document-policy.ts` answers these questions for
 * Warroom, and tests answer them with their own functions.
 */
import type { IncomingMessage } from 'node:http';
import type { Sql } from '../db/sql.ts';

/** The person behind a connection, as far as the core needs them: an id for limits and logs, a name for presence. */
export interface CollabUser {
  readonly id: string;
  readonly displayName: string;
}

/** Who sent an upgrade request, and which login session the connection belongs to (closed when it ends). */
export interface Visitor {
  user: CollabUser;
  sessionId: string;
}

/** Finds who sent an upgrade request (from its cookies); null when nobody is logged in. */
export type Authenticate = (request: IncomingMessage) => Promise<Visitor | null>;

/**
 * What a user may do with a live document. 'missing' covers both "does not
 * exist" and "not yours to see", so probing ids reveals nothing (HTTP 404).
 */
export type DocumentAccess = 'write' | 'read' | 'missing';

/** What a user may do with a document, and their role in whatever owns it (commander, scribe, communicator), shown in presence; null for none. */
export interface Authorization {
  access: DocumentAccess;
  role: string | null;
}

/**
 * Decides what each of `userIds` may do with a document. A constant number of
 * queries however many users: a role change re-decides every connection of a
 * room at once, and a room of 500 readers must not cost 500 rounds of queries.
 * A user who no longer exists or is deactivated gets 'missing' (or no entry).
 */
export type DecideAuthorizations = (sql: Sql, userIds: readonly string[], docId: string) => Promise<Map<string, Authorization>>;
