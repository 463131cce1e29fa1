/** What the main thread and the replay worker say to each other (service.ts ↔ worker.ts). */
import type { BoardLimits } from './board.ts';
import type { IndexedChange } from './version-index.ts';

export type WorkerCommand = { docId: string } & (
  | { type: 'reset' }
  | { type: 'changes'; changes: IndexedChange[] }
  | { type: 'updates'; updates: Uint8Array[] }
  | { type: 'view'; at: number; limits: BoardLimits }
  | { type: 'steps' }
  | { type: 'drop' }
);

export type WorkerRequest = WorkerCommand & { id: number };

/** `result`: the JSON of a view or of the steps, null for the other commands. */
export type WorkerReply = { id: number } & ({ ok: true; result: string | null } | { ok: false; error: string });
