/**
 * Every websocket close code the collaboration server sends, in one place.
 *
 * The stock y-websocket provider treats 4400–4499 as final (the server decided
 * and reconnecting cannot fix it, like HTTP 4xx) and reconnects after anything
 * else. So codes for "this connection did something wrong" or "you no longer
 * have access" sit in 4400–4499, and transient server-side trouble uses the
 * standard 1001/1011 so clients come back on their own.
 *
 * Refusals that can be decided before the upgrade (no session, no access, room
 * full, shutting down) are HTTP responses instead: 401, 403, 404, 503.
 */
export const CloseCode = {
  /** 1001: the server is shutting down; clients reconnect. */
  GOING_AWAY: 1001,
  /** 1003: a text frame; the protocol is binary only. */
  UNSUPPORTED_DATA: 1003,
  /** 1009: a message larger than COLLAB_MAX_MESSAGE_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** 1011: the database refused a commit; the room was dropped and clients resend on reconnect. */
  INTERNAL_ERROR: 1011,
  /** 4000: this user's access changed (e.g. responder → observer); the client reconnects with the new access. */
  ACCESS_CHANGED: 4000,
  /** 4400: undecodable message, unknown message type, or a Yjs update that does not apply. */
  MALFORMED: 4400,
  /** 4403: a read-only participant kept sending changes. */
  READ_ONLY: 4403,
  /** 4404: the user lost access to the document (removed from a private incident). */
  ACCESS_REVOKED: 4404,
  /** 4408: the session behind this connection ended (logout, deactivation, expiry). */
  SESSION_ENDED: 4408,
  /** 4429: more than COLLAB_MESSAGES_PER_SECOND messages. */
  RATE_LIMITED: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
