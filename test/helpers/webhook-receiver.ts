import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Test } from 'tap';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Responder = (request: Received, index: number) => { status: number; headers?: Record<string, string> } | Promise<{ status: number; headers?: Record<string, string> }>;

/**
 * A real HTTP endpoint for webhook tests: records every request it gets and answers with whatever `respond` says
 * (200 by default), so a test can make it fail on purpose. Closed when the test ends.
 */
export const startReceiver = async (t: Test, respond: Responder = () => ({ status: 200 })) => {
  const received: Received[] = [];
  let responder = respond;
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const answer = await responder(entry, received.length - 1);
      res.writeHead(answer.status, answer.headers).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Replaces the answer from now on. */
    respond(next: Responder) {
      responder = next;
    },
    /** Resolves once `predicate` holds over what was received, or rejects after `timeoutMs`. */
    async until(predicate: (received: Received[]) => boolean, timeoutMs = 20_000, what = 'the expected deliveries'): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver: timed out waiting for ${what} (got ${received.length} requests)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
};
