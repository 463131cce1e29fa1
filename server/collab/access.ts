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

/** Decides a user's access to a document; a user who no longer exists or is deactivated gets 'missing'. */
export type DecideAccess = (sql: Sql, userId: string, docId: string) => Promise<DocumentAccess>;

/** The user's role in whatever owns the document (commander, scribe, communicator), shown in presence; null for none. */
export type DecideRole = (sql: Sql, userId: string, docId: string) => Promise<string | null>;
