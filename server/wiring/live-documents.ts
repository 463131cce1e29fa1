/**
 * Warroom's named changes to live documents (server/documents/commands.ts),
 * handed to the collaboration core, and the typed way domain code reaches
 * them (LiveDocuments). The core runs a command wherever a room keeps its
 * document; the document thread imports the same module by its URL.
 */
import type { CollabServer } from '../collab/collab-server.ts';
import type { DocumentCommands } from '../collab/document-commands.ts';
import { runDocumentCommand, type CommandResult, type DocumentCommand } from '../documents/commands.ts';
import type { LiveDocuments } from '../incidents/live.ts';

export const documentCommands: DocumentCommands = {
  run: (doc, command) => runDocumentCommand(doc, command as DocumentCommand),
  module: new URL('../documents/commands.ts', import.meta.url).href,
};

export function liveDocuments(collab: Pick<CollabServer, 'runCommand' | 'reauthorize'>): LiveDocuments {
  return {
    runCommand: <C extends DocumentCommand>(docId: string, actorId: string | null, command: C) => collab.runCommand(docId, actorId, command) as Promise<CommandResult<C>>,
    reauthorize: (docId) => collab.reauthorize(docId),
  };
}
