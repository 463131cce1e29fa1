/**
 * Domain code's way into live documents (LiveDocuments), on top of the
 * collaboration server's one primitive, a change applied to a room's
 * document: each command is one change, and a read is an empty change, which
 * writes and sends nothing but waits its turn behind the room's other work.
 */
import type * as Y from 'yjs';
import type { LiveDocuments } from '../incidents/live.ts';
import { runDocumentCommand, type CommandResult, type DocumentCommand } from './commands.ts';

/** What this needs of the collaboration server (CollabServer has it). */
export interface DocumentRooms {
  changeDocument(docId: string, userId: string | null, mutate: (doc: Y.Doc) => void): Promise<void>;
  reauthorize(docId: string): Promise<void>;
}

export function liveDocuments(rooms: DocumentRooms): LiveDocuments {
  return {
    async runCommand<C extends DocumentCommand>(docId: string, actorId: string | null, command: C): Promise<CommandResult<C>> {
      let result: CommandResult<C> | undefined;
      await rooms.changeDocument(docId, actorId, (doc) => {
        result = runDocumentCommand(doc, command);
      });
      return result as CommandResult<C>;
    },
    async readDocument<T>(docId: string, read: (doc: Y.Doc) => T): Promise<T> {
      let value: T | undefined;
      await rooms.changeDocument(docId, null, (doc) => {
        value = read(doc);
      });
      return value as T;
    },
    reauthorize: (docId) => rooms.reauthorize(docId),
  };
}
