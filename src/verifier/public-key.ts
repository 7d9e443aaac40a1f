/**
 * Which key checkpoints must be signed with: `--public-key` if given, else the key pinned in the state dir by an
 * earlier run, else — trust on first use, reported loudly — the key the server itself states, which the
 * caller then pins. A `--public-key` that contradicts the pinned key is a usage error: the auditor must say
 * which one to believe (by starting a new state dir).
 */
import { parseVerifierKey, type NoteVerifier } from '../transparency/signed-note.js';
import type { AuditClient } from './audit-client.js';
import { VerifierError } from './errors.js';
import type { KeySource, ReportBuilder } from './report.js';

export interface PinnedKey {
  readonly verifier: NoteVerifier;
  readonly source: KeySource;
}

const parse = (key: string, what: string, kind: 'usage' | 'state'): NoteVerifier => {
  try {
    return parseVerifierKey(key);
  } catch (error) {
    throw new VerifierError(kind, `${what} is not a signed-note verifier key (name+keyid+base64): ${(error as Error).message}`, { cause: error });
  }
};

export const resolvePublicKey = async (options: {
  option?: string;
  pinned?: string;
  stateDir?: string;
  client: Pick<AuditClient, 'publicKey'>;
  report: ReportBuilder;
}): Promise<PinnedKey | undefined> => {
  const { report } = options;
  const pinned = options.pinned === undefined ? undefined : parse(options.pinned, `the key pinned in ${options.stateDir ?? 'the state dir'}`, 'state');
  if (options.option !== undefined) {
    const given = parse(options.option.trim(), '--public-key', 'usage');
    if (pinned && pinned.verifierKey !== given.verifierKey) {
      throw new VerifierError(
        'usage',
        `--public-key ${given.verifierKey} is not the key pinned in ${options.stateDir} (${pinned.verifierKey}); to trust a new key, use a new --state dir`,
      );
    }
    return { verifier: given, source: 'option' };
  }
  if (pinned) return { verifier: pinned, source: 'state' };

  const stated = await options.client.publicKey();
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(stated);
  } catch (error) {
    report.fail({ kind: 'public-key', message: `the server's public key ${JSON.stringify(stated.slice(0, 200))} is not a verifier key: ${(error as Error).message}` });
    return undefined;
  }
  report.warn(
    `TRUST ON FIRST USE: no --public-key was given${options.stateDir ? ' and none was pinned' : ''}, so the checkpoint was checked ` +
      `against the key the server itself states (${verifier.verifierKey}). Compare it with the key the operator publishes ` +
      `out of band${options.stateDir ? '; it is pinned in the state dir if this run passes' : ', and pass it as --public-key (or use --state to pin it)'}.`,
  );
  return { verifier, source: 'server' };
};
