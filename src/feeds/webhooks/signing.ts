import { Webhook } from 'standardwebhooks';
import type { SecretDeriver } from '../../secrets/server-secret.js';

/**
 * A subscription's Standard Webhooks signing secret: `whsec_` + base64 of 32 bytes derived from the server secret
 * and the subscription id. Derived whenever it is shown or used, so it is never stored: not in the event log, not
 * in Redis, not in the local state.
 */
export const webhookSecretFor = (derive: SecretDeriver, subscriptionId: string): string =>
  `whsec_${Buffer.from(derive('webhook-secret', subscriptionId), 'base64url').toString('base64')}`;

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signers by secret (decoding a secret per delivery is work that need not be there); bounded. */
const signers = new Map<string, Webhook>();
const signerFor = (secret: string): Webhook => {
  let signer = signers.get(secret);
  if (!signer) {
    if (signers.size >= 10_000) signers.clear();
    signers.set(secret, (signer = new Webhook(secret)));
  }
  return signer;
};

/** The three Standard Webhooks headers for one attempt (the timestamp is the attempt's; the id is the message's). */
export const signWebhook = (secret: string, webhookId: string, at: Date, body: string): SignedHeaders => ({
  'webhook-id': webhookId,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': signerFor(secret).sign(webhookId, at, body),
});
