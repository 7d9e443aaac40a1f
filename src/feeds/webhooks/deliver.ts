import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, refusedAddress, type UrlPolicy } from './url-guard.js';
import { signWebhook } from './signing.js';

export interface DeliveryRequest {
  url: string;
  webhookId: string;
  body: string;
  secret: string;
}

/** What one attempt came to. `status` is absent when no response arrived (timeout, refused, blocked address). */
export interface AttemptResult {
  status?: number;
  error?: string;
  latencyMs: number;
  /** The endpoint's `Retry-After`, in milliseconds from now. */
  retryAfterMs?: number;
}

export interface DeliverOptions extends UrlPolicy {
  timeoutMs: number;
  now?: () => Date;
}

/** `Retry-After: 120` or `Retry-After: <HTTP date>` → milliseconds from now. */
export const parseRetryAfter = (value: string | undefined, now: Date): number | undefined => {
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
};

/**
 * One signed POST of a CloudEvent to a subscriber, through the SSRF guard: the connection is made only to a public
 * address (or loopback when insecure webhooks are allowed), redirects are not followed, the response body is not
 * read beyond discarding it, and the whole attempt is bounded by `timeoutMs`. Never throws: the result says what
 * happened, for the retry policy and the delivery log.
 */
export const createDeliverer = (options: DeliverOptions) => {
  const now = options.now ?? (() => new Date());
  const lookup = guardedLookup(options);
  // Keep-alive connections, each made through the guarded lookup (the agent passes `lookup` to every new socket).
  const agents = { http: new HttpAgent({ keepAlive: true, lookup }), https: new HttpsAgent({ keepAlive: true, lookup }) };

  const deliver = (delivery: DeliveryRequest): Promise<AttemptResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(delivery.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address never goes through `lookup`: check it here.
    const literalRefused = isIP(host) ? refusedAddress(host, options) : undefined;
    if (literalRefused) return Promise.resolve({ error: `refused: ${literalRefused}`, latencyMs: 0 });

    const sentAt = now();
    const headers = {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'user-agent': 'impact-ledger-webhooks',
      ...signWebhook(delivery.secret, delivery.webhookId, sentAt, delivery.body),
    };
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const settle = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(delivery.body) }, agent: url.protocol === 'https:' ? agents.https : agents.http },
        (response: IncomingMessage) => {
          const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now());
          response.resume(); // discard the body; only the status matters
          response.on('end', () => settle({ status: response.statusCode ?? 0, latencyMs: elapsed(), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }));
          response.on('error', () => settle({ status: response.statusCode ?? 0, latencyMs: elapsed() }));
        },
      );
      const timer = setTimeout(() => {
        settle({ error: `timed out after ${options.timeoutMs} ms`, latencyMs: elapsed() });
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code === 'EADDRNOTPUBLIC' ? `refused: ${error.message}` : error.message, latencyMs: elapsed() }));
      request.end(delivery.body);
    });
  };
  return Object.assign(deliver, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
};
export type Deliverer = ReturnType<typeof createDeliverer>;
