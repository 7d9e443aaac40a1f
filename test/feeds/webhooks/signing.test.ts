import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { createSecretDeriver } from '../../../src/secrets/server-secret.js';
import { signWebhook, webhookSecretFor } from '../../../src/feeds/webhooks/signing.js';

// The example of the Standard Webhooks specification (standard-webhooks/standard-webhooks, spec/standard-webhooks.md):
// secret, message id, timestamp and payload, and the signature the spec gives for them.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

t.test('signs as the Standard Webhooks specification’s example says', async (t) => {
  const headers = signWebhook(SPEC.secret, SPEC.msgId, new Date(SPEC.timestamp * 1000), SPEC.payload);
  t.same(headers, { 'webhook-id': SPEC.msgId, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature });
});

t.test('a derived secret is a valid whsec_ secret, stable per subscription, different across subscriptions and servers', async (t) => {
  const derive = createSecretDeriver(Buffer.from('server secret one, at least thirty-two characters'));
  const other = createSecretDeriver(Buffer.from('server secret two, at least thirty-two characters'));
  const a = webhookSecretFor(derive, 'sub-a');
  t.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
  t.equal(Buffer.from(a.slice(6), 'base64').length, 32, '32 bytes of key');
  t.equal(webhookSecretFor(derive, 'sub-a'), a, 'the same again (an idempotent retry shows the same secret)');
  t.not(webhookSecretFor(derive, 'sub-b'), a);
  t.not(webhookSecretFor(other, 'sub-a'), a);

  const body = '{"specversion":"1.0"}';
  const headers = signWebhook(a, 'msg_1', new Date(), body);
  t.same(new Webhook(a).verify(body, { ...headers }), { specversion: '1.0' }, 'the package’s verifier accepts our signature');
  t.throws(() => new Webhook(webhookSecretFor(derive, 'sub-b')).verify(body, { ...headers }), 'another subscription’s secret does not verify it');
  t.throws(() => new Webhook(a).verify(`${body} `, { ...headers }), 'a changed body does not verify');
});
