/**
 * A webhook endpoint for bench:feeds, run as a child process (so it does not share the service's event loop): it
 * answers 204 to every POST and counts distinct `webhook-id`s, telling its parent the count and the time of the
 * first and last request when asked over IPC.
 */
import { createServer } from 'node:http';

const ids = new Set<string>();
let requests = 0;
let first = 0;
let last = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const now = performance.timeOrigin + performance.now();
    if (requests === 0) first = now;
    last = now;
    requests++;
    ids.add(String(req.headers['webhook-id']));
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
process.on('message', (message: string) => {
  if (message === 'stats') process.send!({ requests, distinct: ids.size, first, last });
  if (message === 'exit') server.close(() => process.exit(0));
});
