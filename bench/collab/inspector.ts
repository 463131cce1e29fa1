/**
 * A full garbage collection in a server process, through the V8 inspector
 * the benchmark enabled for it (NODE_OPTIONS=--inspect=127.0.0.1:0, no
 * change to the server's command). Without it the resident set of an idle
 * Node server still holds whatever garbage the last burst left (an idle
 * process rarely collects), so the memory figure would measure garbage per
 * handshake, not memory per connection.
 */
import WebSocket from 'ws';

/** Collects garbage twice (the second pass frees what finalizers of the first released) and returns the V8 heap in use, in bytes. */
export async function collectGarbage(inspectorUrl: string): Promise<number> {
  const ws = new WebSocket(inspectorUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`the inspector did not answer ${method} within 30 s`)), 30_000);
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== id) return;
        clearTimeout(timer);
        ws.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize as number;
  } finally {
    ws.close();
  }
}
