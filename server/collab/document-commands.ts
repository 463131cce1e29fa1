/**
 * The server's own named changes to live documents (an automatic timeline
 * entry, a postmortem draft written in pieces…), handed to the core at
 * start-up like its access policy (access.ts): the core runs each where the
 * room's document is, on this thread or on the document thread, and knows
 * nothing of what they do. Warroom's are in server/documents/commands.ts,
 * handed over by server/wiring.
 */
import type * as Y from 'yjs';

export interface DocumentCommands {
  /**
   * Runs `command` against `doc`, inside the one change the room makes of it; returns its result (plain data). From
   * the document thread, byte arrays among the result's values (or in arrays there) are handed over, not copied.
   */
  run(doc: Y.Doc, command: unknown): unknown;
  /** The URL of a module whose `runDocumentCommand(doc, command)` does the same: the document thread imports it. */
  module: string;
}
