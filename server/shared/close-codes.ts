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
  /**
   * 1013 (try again later): the client kept sending past the rate limit while
   * its socket was paused. Messages over COLLAB_MESSAGES_PER_SECOND are
   * otherwise only slowed down; the stock provider reconnects after this one
   * and resends what the server did not store.
   */
  RATE_LIMITED: 1013,
  /**
   * 1013 (try again later): the client left more than 4 × COLLAB_MAX_BUFFERED_BYTES
   * unread. A slow reader is caught up with one diff instead; this is for one
   * that stopped reading. Reconnecting resyncs it.
   */
  TOO_FAR_BEHIND: 1013,
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
  /** 4413: the change would take the document past COLLAB_MAX_DOCUMENT_BYTES; it is not stored. */
  DOCUMENT_FULL: 4413,
  /** 4431: a presence (awareness) state larger than the cap of a few KiB. */
  PRESENCE_TOO_BIG: 4431,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
