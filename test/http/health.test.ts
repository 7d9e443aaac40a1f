import t from 'tap';
import { api } from '../helpers/api.js';
import { startService } from '../helpers/service.js';

t.test('GET /ready: store reachable, follower caught up, Redis reported (off without REDIS_URL)', async (t) => {
  const service = await startService(t);
  await api(service.app).launch();
  const ready = await service.app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', seq: 0, store: 'ok', followerLag: 0, redis: 'off' });
});

t.test('GET /ready answers 503 when the store is unreachable', async (t) => {
  const service = await startService(t);
  await service.store.close();
  const ready = await service.app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 503);
  t.match(ready.headers['content-type'], /^application\/problem\+json/);
  t.match(ready.json(), { status: 503, detail: /event store is unreachable/ });
});
