/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed statement "the log `origin` has `size`
 * leaves and this root", as the text of a signed note:
 *
 *   <origin>\n<size in decimal>\n<base64 root hash>\n[<extension line>\n…]
 */
import { assertHash, decodeBase64, HASH_SIZE } from './hashing.js';
import { assertTreeIndex } from './merkle.js';
import { signNote, verifyNote, type NoteSignature, type NoteSigner, type NoteVerifier } from './signed-note.js';

export interface Checkpoint {
  /** Unique identity of the log, e.g. `example.org/impact-ledger` (no spaces, no "+"). */
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Optional extension lines after the root, each non-empty. */
  readonly extensions?: readonly string[];
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The signed note text (the checkpoint body). */
  readonly text: string;
  readonly verified: NoteSignature[];
  readonly unverified: NoteSignature[];
}

/** Thrown for a checkpoint body that does not follow C2SP tlog-checkpoint. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const SPACE = /[\t\n\v\f\r \u0085\p{Z}]/u;
const CONTROL = /[\u0000-\u001f\u007f]/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

const checkOrigin = (origin: string): void => {
  if (origin.length === 0 || SPACE.test(origin) || origin.includes('+') || CONTROL.test(origin)) {
    throw new CheckpointError(`invalid checkpoint origin ${JSON.stringify(origin)}: needs no spaces, no "+" and no control characters`);
  }
};

const checkExtension = (line: string, i: number): void => {
  if (line.length === 0 || CONTROL.test(line)) {
    throw new CheckpointError(`checkpoint extension line ${i + 1} is empty or contains a control character`);
  }
};

/** The checkpoint body (the note text to sign). */
export const formatCheckpoint = (checkpoint: Checkpoint): string => {
  const { origin, size, root, extensions = [] } = checkpoint;
  checkOrigin(origin);
  assertTreeIndex(size, 'checkpoint size');
  assertHash(root, 'checkpoint root');
  extensions.forEach(checkExtension);
  return [origin, String(size), Buffer.from(root).toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
};

/** Parses a checkpoint body strictly: origin, canonical decimal size, padded base64 32-byte root, extensions. */
export const parseCheckpoint = (text: string): Checkpoint => {
  if (!text.endsWith('\n')) throw new CheckpointError('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw new CheckpointError(`checkpoint needs origin, size and root lines, got ${lines.length} line(s)`);
  }
  checkOrigin(origin);
  if (!DECIMAL.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new CheckpointError(`checkpoint size ${JSON.stringify(sizeText)} is not a canonical decimal safe integer`);
  }
  const root = decodeBase64(rootText);
  if (root === undefined || root.length !== HASH_SIZE) {
    throw new CheckpointError(`checkpoint root ${JSON.stringify(rootText)} is not padded base64 of ${HASH_SIZE} bytes`);
  }
  extensions.forEach(checkExtension);
  return { origin, size: Number(sizeText), root, extensions };
};

/** The signed note of `checkpoint`. */
export const signCheckpoint = (checkpoint: Checkpoint, ...signers: NoteSigner[]): string =>
  signNote(formatCheckpoint(checkpoint), ...signers);

/**
 * Verifies the note's signature(s) with `verifiers` (see verifyNote) and parses its checkpoint. C2SP requires
 * clients to check the origin: pass `origin` to have it compared. Throws a NoteError or CheckpointError.
 */
export const verifyCheckpoint = (
  note: string,
  verifiers: string | NoteVerifier | readonly (string | NoteVerifier)[],
  options: { origin?: string } = {},
): VerifiedCheckpoint => {
  const { text, verified, unverified } = verifyNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new CheckpointError(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(options.origin)}`);
  }
  return { checkpoint, text, verified, unverified };
};
