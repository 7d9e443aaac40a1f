import t from 'tap';
import { request } from 'node:http';
import { admin, startService } from '../helpers/service.js';

t.test('responses sent while the app is closing tell keep-alive clients to close the connection', async (t) => {
  const service = await startService(t);
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.app.server.address() as { port: number };
  const agent = new (await import('node:http')).Agent({ keepAlive: true });
  const post = () =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/initiatives', agent, headers: { ...admin, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ name: 'Shutdown', problemStatement: 'In flight while closing.' }));
    });
  const before = await post();
  t.equal(before.connection, 'keep-alive', 'normally the connection is kept alive');
  // Close once the server holds the request (before that, the idle socket is simply closed).
  const received = new Promise<void>((resolve) => service.app.server.once('request', () => resolve()));
  const inFlight = post();
  await received;
  const closing = service.stop();
  const during = await inFlight;
  t.equal(during.status, 201, 'the in-flight write completes');
  t.equal(during.connection, 'close', 'and its response closes the connection');
  await closing;
  agent.destroy();
});
