import t from 'tap';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { collectLines, spawnTs } from '../helpers/child.js';

const spawnMain = (env: Record<string, string>) => spawnTs('src/main.ts', [], env);
import { tempDir } from '../helpers/temp-dir.js';

const freePort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
};

t.test('a bad configuration value stops the process with one clear line', async (t) => {
  const bad = spawnMain({ PORT: 'not-a-port', DATA_DIR: tempDir(t) });
  const { code, stderr } = await collectLines(bad, () => undefined);
  t.equal(code, 1);
  const lines = stderr.trim().split('\n');
  t.equal(lines.length, 1, 'exactly one line');
  t.match(lines[0], /^invalid configuration: PORT: must be a port number$/);
});

t.test('SIGTERM shuts down gracefully: in-flight writes finish, the process exits 0', async (t) => {
  const dataDir = tempDir(t);
  const port = await freePort();
  const child = spawnMain({ PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN: 'x'.repeat(40), LOG_LEVEL: 'info' });
  const lines: string[] = [];
  const exit = collectLines(child, (line) => lines.push(line));
  const deadline = Date.now() + 20_000;
  while (!lines.some((l) => l.includes('impact-ledger started'))) {
    if (Date.now() > deadline) throw new Error(`service did not start: ${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const write = fetch(`http://127.0.0.1:${port}/initiatives`, {
    method: 'POST',
    headers: { authorization: `Bearer ${'x'.repeat(40)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Shutdown test', problemStatement: 'Writes in flight must finish.' }),
  });
  // SIGTERM only once the server has the request in hand: then it is in flight, not merely sent.
  while (!lines.some((l) => l.includes('"msg":"incoming request"') && l.includes('"url":"/initiatives"'))) {
    if (Date.now() > deadline) throw new Error('the write never reached the server');
    await new Promise((r) => setTimeout(r, 1));
  }
  child.kill('SIGTERM');
  const response = await write;
  t.equal(response.status, 201, 'the in-flight write completed');
  const { code } = await exit;
  t.equal(code, 0, 'clean exit');
  t.ok(lines.some((l) => l.includes('"msg":"stopped"')), 'it logged that it stopped');
  t.notOk(lines.some((l) => l.includes('x'.repeat(40))), 'the admin key never appears in the logs');
});
