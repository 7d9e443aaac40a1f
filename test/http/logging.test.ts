import t, { type Test } from 'tap';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createService, pinoOptions } from '../../src/service.js';
import { api } from '../helpers/api.js';
import { ADMIN_TOKEN, admin } from '../helpers/service.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A real service whose pino output (at `trace`, the most talkative level) is kept in memory. */
const loggedService = async (t: Test, env: Record<string, string> = {}) => {
  const lines: string[] = [];
  const logger = pino(pinoOptions('trace'), { write: (line: string) => void lines.push(line) });
  const service = await createService(loadConfig({ DATA_DIR: tempDir(t), ADMIN_TOKEN, LOG_LEVEL: 'trace', ...env }), logger);
  t.teardown(() => service.stop());
  return { ...service, logger, lines };
};

t.test('pino never logs a bearer key, an issued key or a secret from a body, whatever the request does', async (t) => {
  const { app, lines, logger } = await loggedService(t, { RATE_LIMIT_PER_MINUTE: '20', BODY_LIMIT_BYTES: '2048' });
  const c = api(app);
  const initiative = await c.launch();
  const backbone = await c.key({ role: 'backbone', initiativeId: initiative, label: 'backbone key' });
  const partnerId = await c.partner(initiative, 'River Trust', 'nonprofit', backbone.headers);
  const partner = await c.key({ role: 'partner', initiativeId: initiative, partnerId }, backbone.headers);
  const auditor = await c.key({ role: 'auditor' });
  const keys = [ADMIN_TOKEN, backbone.key, partner.key, auditor.key];

  // Successes, every kind of rejection, a revoked key, a key in a body, a key in an idempotency header.
  await c.post(`/initiatives/${initiative}/goals`, { title: 'Swimmable river' }, { ...backbone.headers, 'idempotency-key': backbone.key });
  await c.post(`/initiatives/${initiative}/goals`, { title: partner.key, secret: partner.key, token: partner.key, key: partner.key }, partner.headers);
  await c.post('/access-keys', { role: 'viewer', label: auditor.key, key: auditor.key }, admin);
  await app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"name":"${backbone.key}",` });
  await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: { name: 'x'.repeat(4096), problemStatement: partner.key } });
  await app.inject({ method: 'POST', url: `/initiatives/${'a'.repeat(200)}/goals`, headers: partner.headers, payload: { title: 't' } });
  await app.inject({ method: 'GET', url: '/nowhere', headers: auditor.headers });
  await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: auditor.headers });
  await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: { authorization: `Basic ${Buffer.from(`user:${partner.key}`).toString('base64')}` } });
  await app.inject({ method: 'DELETE', url: `/access-keys/${partner.id}`, headers: backbone.headers });
  await app.inject({ method: 'POST', url: `/initiatives/${initiative}/goals`, headers: partner.headers, payload: { title: 'revoked' } });
  // A webhook subscription: its signing secret is in the 201 only.
  const subscribed = await c.post('/subscriptions', { url: 'https://hooks.river-trust.example.org/impact', initiativeId: initiative }, backbone.headers);
  const webhookSecret = subscribed.body.secret as string;
  await c.post('/subscriptions', { url: 'https://hooks.river-trust.example.org/impact', initiativeId: initiative, secret: webhookSecret }, backbone.headers);
  for (let i = 0; i < 25; i++) await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: auditor.headers }); // into 429

  // Whatever logs the request with its headers (a custom serializer, a plugin) is redacted too.
  logger.info({ req: { headers: { authorization: `Bearer ${backbone.key}`, 'idempotency-key': backbone.key } } }, 'request with headers');
  logger.info({ err: { headers: { authorization: `Bearer ${backbone.key}` } }, body: { key: backbone.key, secret: backbone.key, token: backbone.key } }, 'an error carrying a request');

  const log = lines.join('');
  t.ok(lines.length > 50, `${lines.length} log lines captured`);
  t.match(log, /"msg":"incoming request"/, 'request logs are in the capture');
  t.match(log, /"statusCode":429/, 'including the rate-limited ones');
  t.match(log, /\[redacted\]/, 'the logged headers were redacted');
  t.match(webhookSecret, /^whsec_/);
  t.notOk(log.includes(webhookSecret.slice(6)), 'the webhook signing secret is not in the logs');
  keys.forEach((key, i) => {
    t.notOk(log.includes(key), `key ${i} is not in the logs`);
    t.notOk(log.includes(key.replace(/^il_/, '')), `nor its secret part`);
  });
});
