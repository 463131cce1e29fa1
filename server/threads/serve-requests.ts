/**
 * The worker thread's side of worker-client.ts: answers each request with
 * `handle`'s result, in order, or with the message of what it threw.
 */
import { parentPort, type TransferListItem } from 'node:worker_threads';

export type WorkerRequest<Request> = { id: number; request: Request };
export type WorkerReply<Reply> = { id: number; ok: true; reply: Reply } | { id: number; ok: false; error: string };

/** `handle` returns the reply and the buffers to hand back instead of copying. */
export function serveRequests<Request, Reply>(handle: (request: Request) => { reply: Reply; transfer?: TransferListItem[] }): void {
  parentPort!.on('message', ({ id, request }: WorkerRequest<Request>) => {
    let message: WorkerReply<Reply>;
    let transfer: TransferListItem[] = [];
    try {
      const answer = handle(request);
      message = { id, ok: true, reply: answer.reply };
      transfer = answer.transfer ?? [];
    } catch (error) {
      message = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    parentPort!.postMessage(message, transfer);
  });
}
