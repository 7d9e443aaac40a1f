import t from 'tap';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

t.test('GET /metrics: Prometheus text with HTTP, follower, store and log figures; admins and deployment-wide auditors', async (t) => {
  const service = await startService(t);
  const client = api(service.app);
  const initiative = await client.launch();
  await client.partner(initiative, 'River Trust');
  await service.app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda`, headers: admin });

  const res = await service.app.inject({ method: 'GET', url: '/metrics', headers: admin });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const value = (line: RegExp) => Number(res.body.split('\n').find((l) => line.test(l))?.split(' ').at(-1));
  t.equal(value(/^http_requests_total\{method="POST",route="\/initiatives",status="201"\}/), 1, 'requests by route pattern and status');
  t.equal(value(/^http_requests_total\{method="POST",route="\/initiatives\/:id\/partners",status="201"\}/), 1);
  t.equal(value(/^http_requests_total\{method="GET",route="\/initiatives\/:id\/agenda",status="200"\}/), 1);
  t.ok(value(/^http_request_duration_seconds_count\{method="POST",route="\/initiatives"\}/) === 1, 'with latency histograms');
  t.equal(value(/^ledger_follower_seq /), 1, 'the follower has applied seq 0 and 1');
  t.equal(value(/^ledger_transparency_tree_size /), 2);
  t.equal(value(/^ledger_store_events /), 2, 'events appended since start');
  t.equal(value(/^ledger_sse_clients /), 0);
  t.ok(value(/^process_resident_memory_bytes /) > 0, 'process metrics');
  t.notOk(/ledger_webhook_jobs\{/.test(res.body), 'no queue figures without Redis');

  const auditor = await client.key({ role: 'auditor' });
  t.equal((await service.app.inject({ method: 'GET', url: '/metrics', headers: auditor.headers })).statusCode, 200, 'a deployment-wide auditor reads them');
  const scoped = await client.key({ role: 'auditor', initiativeId: initiative });
  const refused = await service.app.inject({ method: 'GET', url: '/metrics', headers: scoped.headers });
  t.equal(refused.statusCode, 403, 'an auditor of one initiative does not: the figures are the whole deployment\'s');
  t.match(refused.json(), { status: 403, detail: /whole deployment/ });
  const backbone = await client.key({ role: 'backbone', initiativeId: initiative });
  t.equal((await service.app.inject({ method: 'GET', url: '/metrics', headers: backbone.headers })).statusCode, 403);
  t.equal((await service.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
});
