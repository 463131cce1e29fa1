/**
 * Whether a client's update may reach the document: it must decode, an
 * empty one is dropped unread, a read-only participant's changes are dropped
 * (and closing after a few strikes), and a document at its size budget takes
 * nothing more.
 */
import { isEmptyUpdate } from './change-capture.ts';
import { CloseCode } from '../shared/close-codes.ts';

export interface WriteLimits {
  readOnlyStrikes: number;
  maxDocumentBytes: number;
}

export type WriteVerdict = 'apply' | 'ignore' | { code: CloseCode; reason: string; details: Record<string, unknown> };

export function judgeWrite(
  writer: { access: 'write' | 'read'; readOnlyStrikes: number },
  update: Uint8Array,
  storedBytes: number,
  limits: WriteLimits,
  /** Known already when the update was checked elsewhere (a large one, off the main thread). */
  knownEmpty?: boolean,
): WriteVerdict {
  let empty: boolean;
  try {
    // Cheap structural check first: most garbage fails here without touching the document.
    empty = knownEmpty ?? isEmptyUpdate(update);
  } catch (error) {
    return { code: CloseCode.MALFORMED, reason: 'malformed update', details: { reason: (error as Error).message } };
  }
  // The stock provider answers our sync step 1 with a step 2 that is usually empty, on every connect. Applying
  // nothing would still run a Yjs transaction and mark the document changed, which makes the next client's
  // sync reply encode the whole document again instead of reusing the last one (see sync-replies.ts).
  if (empty) return 'ignore';
  if (writer.access === 'read') {
    writer.readOnlyStrikes++;
    return writer.readOnlyStrikes >= limits.readOnlyStrikes ? { code: CloseCode.READ_ONLY, reason: 'read-only participant kept sending changes', details: {} } : 'ignore';
  }
  if (storedBytes + update.byteLength > limits.maxDocumentBytes) {
    return { code: CloseCode.DOCUMENT_FULL, reason: 'document is at its size budget', details: { storedBytes, bytes: update.byteLength } };
  }
  return 'apply';
}
