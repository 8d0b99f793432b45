import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'hang'
  | 'reset'
  /** Answers by hand on the raw request and response (trickled headers, huge bodies…). */
  | { raw: (req: http.IncomingMessage, res: http.ServerResponse) => void };

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as told. */
export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides each answer; by default 200 `{"received":true}`. */
  respond: (request: ReceivedRequest, index: number) => Reply | Promise<Reply>;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Waits until an event about each of these customers (by `member_id`) has arrived. */
  waitForMembers(memberIds: Iterable<string>, timeoutMs?: number): Promise<void>;
  /** Goes down: open connections are cut and new ones refused, until `listenAgain`. */
  goDown(): Promise<void>;
  /** Comes back on the same port. */
  listenAgain(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(respond?: Receiver['respond']): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = {
    url: '',
    requests,
    respond: respond ?? (() => ({ status: 200, body: '{"received":true}' })),
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline)
          throw new Error(`receiver got ${requests.length} requests, expected ${count}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requests.slice(0, count);
    },
    async waitForMembers(memberIds, timeoutMs = 30_000) {
      const wanted = new Set(memberIds);
      const deadline = Date.now() + timeoutMs;
      let read = 0;
      while (wanted.size > 0) {
        for (; read < requests.length; read++) {
          const body = JSON.parse(requests[read]!.body) as { customer?: { member_id?: string } };
          wanted.delete(body.customer?.member_id ?? '');
        }
        if (wanted.size === 0) return;
        if (Date.now() > deadline) throw new Error(`no event arrived for ${wanted.size} customers`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    goDown: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    listenAgain: () =>
      new Promise((resolve) => server.listen(Number(new URL(receiver.url).port), '127.0.0.1', resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        if (server.listening) server.close(() => resolve());
        else resolve();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const index = requests.push(received) - 1;
      waiters.splice(0).forEach((w) => w());
      void Promise.resolve(receiver.respond(received, index)).then((reply) => {
        if (reply === 'hang') {
          hanging.add(res);
          return;
        }
        if (reply === 'reset') {
          req.socket.destroy();
          return;
        }
        if ('raw' in reply) {
          hanging.add(res);
          reply.raw(req, res);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/**
 * The receivers a test file starts, to close together after each test — before the server, so that
 * a request a receiver is holding ends at once instead of holding the worker's shutdown.
 */
export function receiverPool(): {
  start: (respond?: Receiver['respond']) => Promise<Receiver>;
  closeAll: () => Promise<void>;
} {
  const open: Receiver[] = [];
  return {
    async start(respond) {
      const r = await startReceiver(respond);
      open.push(r);
      return r;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((r) => r.close()));
    },
  };
}
