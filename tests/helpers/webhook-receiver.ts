/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and
 * answers with whatever `answer` says (a status code, or 'hang' to never
 * answer). It can stop listening and come back on the same port, to play an
 * endpoint that is down for a while.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status sent back; null while hanging or when the sender went away first. */
  answered: number | null;
  /** The sender closed the connection before an answer (it gave up waiting). */
  abandoned: boolean;
}

/** A status now, a status after a delay, or never. */
export type Answer = number | 'hang' | { status: number; afterMs: number };

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest, index: number) => Answer = () => 204;
  port = 0;
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();

  static async start(answer?: WebhookReceiver['answer']): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    if (answer) receiver.answer = answer;
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Answered with a 2xx: what "delivered" means to the receiver. */
  get successes(): ReceivedRequest[] {
    return this.requests.filter((r) => r.answered !== null && r.answered >= 200 && r.answered < 300);
  }

  /** Listens again on the same port after `down()` (port 0 the first time). */
  listen(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const request: ReceivedRequest = { method: req.method ?? '', headers: req.headers, body, answered: null, abandoned: false };
        res.on('close', () => (request.abandoned = !res.writableEnded));
        const index = this.requests.push(request) - 1;
        const answer = this.answer(request, index);
        if (answer === 'hang') return;
        const send = (status: number) => {
          if (res.destroyed) return;
          request.answered = status;
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `answer ${status}` : 'ok');
        };
        if (typeof answer === 'number') send(answer);
        else setTimeout(() => send(answer.status), answer.afterMs);
      });
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  /** Stops listening and drops open connections (hanging requests included). */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close = () => this.down();
}
