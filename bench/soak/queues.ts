/**
 * Bytes waiting in the kernel's socket queues between the server and its
 * clients, sampled with `ss` (Linux). Whoever falls behind shows here
 * without being instrumented: the receive queue of a server-side socket is
 * what the server has not read yet, that of a client-side socket what the
 * load generator has not read yet. The send queues show a side that cannot
 * write (the peer's window is full); only then does `ws` start to report a
 * bufferedAmount.
 */
import { execFile } from 'node:child_process';

export interface QueueSample {
  /** Received by the server's sockets, not read by the server. */
  unreadByServer: number;
  /** Received by the clients' sockets, not read by the clients. */
  unreadByClients: number;
  /** Written by the server, not yet taken by the clients' sockets. */
  unsentByServer: number;
}

export interface QueueSummary {
  samples: number;
  /** Mean and largest total over all sockets, bytes. */
  unreadByServer: { mean: number; max: number };
  unreadByClients: { mean: number; max: number };
  unsentByServer: { mean: number; max: number };
}

function sample(port: number): Promise<QueueSample | null> {
  return new Promise((resolve) => {
    execFile('ss', ['-tnH', 'state', 'established', `( sport = :${port} or dport = :${port} )`], (error, stdout) => {
      if (error) return resolve(null);
      const totals: QueueSample = { unreadByServer: 0, unreadByClients: 0, unsentByServer: 0 };
      for (const line of stdout.split('\n')) {
        const [recvQ, sendQ, local] = line.trim().split(/\s+/);
        if (!local) continue;
        if (local.endsWith(`:${port}`)) {
          totals.unreadByServer += Number(recvQ);
          totals.unsentByServer += Number(sendQ);
        } else totals.unreadByClients += Number(recvQ);
      }
      resolve(totals);
    });
  });
}

/** Samples once a second until `stop()`, which returns the summary (null where `ss` is missing). */
export function watchQueues(port: number): { stop(): QueueSummary | null } {
  const samples: QueueSample[] = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const s = await sample(port);
    if (s) samples.push(s);
    busy = false;
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      if (samples.length === 0) return null;
      const of = (key: keyof QueueSample) => ({
        mean: samples.reduce((sum, s) => sum + s[key], 0) / samples.length,
        max: Math.max(...samples.map((s) => s[key])),
      });
      return { samples: samples.length, unreadByServer: of('unreadByServer'), unreadByClients: of('unreadByClients'), unsentByServer: of('unsentByServer') };
    },
  };
}
