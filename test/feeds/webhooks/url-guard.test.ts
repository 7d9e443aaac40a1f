import t from 'tap';
import { guardedLookup, refusedAddress, refusedUrl } from '../../../src/feeds/webhooks/url-guard.js';

const strict = { allowInsecure: false };
const insecure = { allowInsecure: true };

t.test('only https: to public hosts, unless insecure webhooks are allowed (then also http: and loopback)', async (t) => {
  t.equal(refusedUrl('https://hooks.partner.example.org/impact', strict), undefined);
  t.equal(refusedUrl('https://203.0.114.7/hook', strict), undefined, 'a public literal address');
  t.match(refusedUrl('http://hooks.partner.example.org/impact', strict), /https/);
  t.equal(refusedUrl('http://127.0.0.1:8080/hooks', insecure), undefined);
  t.equal(refusedUrl('http://localhost:8080/hooks', insecure), undefined);
  t.equal(refusedUrl('http://[::1]:8080/hooks', insecure), undefined);
  t.match(refusedUrl('ftp://example.org/x', insecure), /https: or http:/);
  t.match(refusedUrl('https://user:pw@example.org/x', strict), /credentials/);
});

t.test('private, loopback, link-local and metadata addresses are refused', async (t) => {
  for (const url of [
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://app.localhost/x',
    'https://10.0.0.5/x',
    'https://172.16.3.4/x',
    'https://192.168.1.1/x',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/x',
    'https://0.0.0.0/x',
    'https://[::1]/x',
    'https://[fd00::1]/x',
    'https://[fe80::1]/x',
    'https://[::ffff:10.0.0.1]/x',
    'https://[::ffff:7f00:1]/x',
    'https://intranet/x',
    'https://printer.local/x',
  ]) {
    t.ok(refusedUrl(url, strict), `${url} refused`);
  }
  for (const url of ['http://10.0.0.5/x', 'http://192.168.1.1/x', 'http://169.254.169.254/x', 'http://[fd00::1]/x']) {
    t.ok(refusedUrl(url, insecure), `${url} refused even with insecure webhooks (only loopback is let through)`);
  }
  t.equal(refusedAddress('8.8.8.8', strict), undefined);
  t.equal(refusedAddress('2a00:1450:4001:80b::200e', strict), undefined);
});

t.test('the connection-time lookup refuses a name that resolves to a non-public address', async (t) => {
  const lookup = (policy: { allowInsecure: boolean }, host: string) =>
    new Promise<{ error: (Error & { code?: string }) | null; address: unknown }>((resolve) =>
      guardedLookup(policy)(host, {}, (error, address) => resolve({ error, address })),
    );
  const blocked = await lookup(strict, 'localhost');
  t.equal(blocked.error?.code, 'EADDRNOTPUBLIC', 'localhost resolves to loopback: refused at connect time');
  t.match(blocked.error?.message, /not a public address/);
  const allowed = await lookup(insecure, 'localhost');
  t.equal(allowed.error, null, 'loopback is allowed with insecure webhooks');
});
