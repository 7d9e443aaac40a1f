/**
 * Errors that stop the verifier before it can reach a verdict: a bad command line, a server it cannot talk to,
 * an unusable state dir. They exit 2; a verdict — even "failed" — is a report, never an exception.
 */
export type VerifierErrorKind = 'usage' | 'connection' | 'state';

export class VerifierError extends Error {
  readonly kind: VerifierErrorKind;

  constructor(kind: VerifierErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifierError';
    this.kind = kind;
  }
}

/** Exit codes of `npm run verify`. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;
