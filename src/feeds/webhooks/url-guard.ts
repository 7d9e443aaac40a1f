import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The SSRF guard for webhook endpoints. A subscriber chooses the URL the service will POST to, so the URL must not
 * reach into the service's own network: only `https:` to public addresses, or — when `ALLOW_INSECURE_WEBHOOKS=1`
 * (tests, local development) — also `http:` and loopback. Checked twice: when a subscription is created (a clear
 * 400 for a literal address or a local name) and at every connection, on the addresses DNS actually returned (so a
 * name that resolves, or later rebinds, to a private address is refused too).
 */

const notPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  notPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach private IPv4
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  notPublic.addSubnet(net, prefix, 'ipv6');
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** `::ffff:10.0.0.1` is 10.0.0.1. */
const unmapped = (address: string): { address: string; family: 'ipv4' | 'ipv6' } => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
};

export interface UrlPolicy {
  /** `ALLOW_INSECURE_WEBHOOKS=1`: `http:` and loopback addresses are allowed (never other private ranges). */
  allowInsecure: boolean;
}

/** Why an address may not be connected to, or undefined when it may. */
export const refusedAddress = (address: string, policy: UrlPolicy): string | undefined => {
  const { address: plain, family } = unmapped(address);
  if (policy.allowInsecure && loopback.check(plain, family)) return undefined;
  return notPublic.check(plain, family) ? `${address} is not a public address` : undefined;
};

const bareHost = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Why a webhook URL is refused, or undefined when it is acceptable (names are checked again on every connection). */
export const refusedUrl = (raw: string, policy: UrlPolicy): string | undefined => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) {
    return policy.allowInsecure ? 'must be an https: or http: URL' : 'must be an https: URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = bareHost(url.hostname);
  if (isIP(host)) return refusedAddress(host, policy);
  if (host === 'localhost' || host.endsWith('.localhost')) return policy.allowInsecure ? undefined : `${host} is not a public address`;
  if (!host.includes('.') || host.endsWith('.local') || host.endsWith('.internal')) return `${host} is not a public host name`;
  return undefined;
};

/**
 * A `lookup` for http(s).request that resolves as usual and then refuses any non-public address, so the check
 * is made on the address the socket connects to (no time-of-check/time-of-use gap, no DNS rebinding).
 */
export const guardedLookup = (policy: UrlPolicy): LookupFunction =>
  ((hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const refused = addresses.map((a) => refusedAddress(a.address, policy)).find((r) => r !== undefined);
      if (refused) {
        const blocked = Object.assign(new Error(`refused to connect to ${hostname}: ${refused}`), { code: 'EADDRNOTPUBLIC' });
        return callback(blocked, []);
      }
      const all = (options as { all?: boolean }).all;
      if (all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  }) as LookupFunction;
