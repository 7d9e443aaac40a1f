/**
 * The audit API as the verifier sees it (design §6): global `fetch`, the auditor's bearer key, and no trust in
 * what comes back — shapes are checked here, meanings by the verifier. Transport failures and unexpected HTTP
 * statuses throw a VerifierError ('connection', exit 2); a 2xx answer of the wrong shape throws a
 * MalformedResponseError, which the verifier records as a failure of the server.
 */
import { z } from 'zod';
import { VerifierError } from './errors.js';

export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

export interface AuditClientOptions {
  /** Base URL of the service, e.g. `https://ledger.example.org` (a path prefix is kept). */
  url: string;
  /** The auditor's (or admin's) bearer key. */
  key: string;
  timeoutMs?: number;
}

/** One page of `GET /audit/events`: entries are checked one by one by the verifier, so they stay `unknown`. */
export interface EventsPage {
  entries: unknown[];
  next: number | null;
}

const eventsPageSchema = z.object({ entries: z.array(z.unknown()), next: z.number().int().nullable() });
const consistencySchema = z.object({ from: z.number().int(), to: z.number().int(), hashes: z.array(z.string()) });

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
};

export const createAuditClient = (options: AuditClientOptions) => {
  let base: URL;
  try {
    base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  } catch {
    throw new VerifierError('usage', `--url ${JSON.stringify(options.url)} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new VerifierError('usage', `--url must be http(s), got ${base.protocol}`);
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** GET `path` (relative to the base URL); `allow404` turns a 404 into undefined. */
  const get = async (path: string, allow404 = false): Promise<Response | undefined> => {
    const url = new URL(path, base);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${options.key}` }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new VerifierError('connection', `GET ${url.href} failed: ${describe(error)}`, { cause: error });
    }
    if (allow404 && response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      let detail = body.slice(0, 300);
      try {
        const problem = JSON.parse(body) as { detail?: unknown; title?: unknown };
        detail = String(problem.detail ?? problem.title ?? detail);
      } catch {
        // not a problem document: keep the text
      }
      const hint = response.status === 401 || response.status === 403 ? ' — is --key an auditor or admin key of this service?' : '';
      throw new VerifierError('connection', `GET ${url.href} answered ${response.status}${detail ? `: ${detail}` : ''}${hint}`);
    }
    return response;
  };

  const json = async (path: string, allow404 = false): Promise<unknown> => {
    const response = await get(path, allow404);
    if (response === undefined) return undefined;
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new MalformedResponseError(`GET ${path} did not answer JSON`);
    }
  };

  const text = async (path: string): Promise<string> => {
    const response = await get(path);
    return (await response?.text()) ?? '';
  };

  const parse = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const result = schema.safeParse(value);
    if (!result.success) throw new MalformedResponseError(`${what}: unexpected shape (${result.error.issues[0]?.message ?? 'invalid'})`);
    return result.data;
  };

  return {
    url: base.href,
    /** `GET /audit/public-key`: the signed-note verifier key, as the server states it (trust on first use only). */
    publicKey: async (): Promise<string> => (await text('audit/public-key')).trim(),
    /** `GET /audit/checkpoint`: the latest signed checkpoint note. */
    checkpoint: (): Promise<string> => text('audit/checkpoint'),
    /** `GET /audit/events?from=&limit=`. */
    events: async (from: number, limit: number): Promise<EventsPage> =>
      parse(eventsPageSchema, await json(`audit/events?from=${from}&limit=${limit}`), `GET /audit/events?from=${from}`),
    /** `GET /audit/proof/consistency?from=&to=`: the proof hashes, still hex. */
    consistency: async (from: number, to: number): Promise<string[]> => {
      const proof = parse(consistencySchema, await json(`audit/proof/consistency?from=${from}&to=${to}`), `GET /audit/proof/consistency?from=${from}&to=${to}`);
      if (proof.from !== from || proof.to !== to) {
        throw new MalformedResponseError(`asked for the consistency proof ${from} → ${to}, got ${proof.from} → ${proof.to}`);
      }
      return proof.hashes;
    },
    /** `GET /audit/digests?treeSize=`: the server's projection digests, or undefined when it has none (404). */
    digests: (treeSize: number): Promise<unknown> => json(`audit/digests?treeSize=${treeSize}`, true),
  };
};
export type AuditClient = ReturnType<typeof createAuditClient>;
