/**
 * The `--state` dir: what an auditor keeps between runs, so that each run checks the log against what earlier
 * runs saw. `state.json` pins the log's verifier key and origin and keeps every checkpoint verified so far;
 * `leaves.bin` (see leaf-file.ts) holds the recomputed leaf hashes. Saved checkpoints are re-verified with the
 * pinned key on load, so a damaged state dir stops the run (exit 2) rather than weakening it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { verifyCheckpoint, type Checkpoint } from '../transparency/checkpoint.js';
import { VerifierError } from './errors.js';
import { openLeafFile, type LeafFile } from './leaf-file.js';

export interface SavedCheckpoint {
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
  /** When a run verified it (ISO 8601). */
  readonly savedAt: string;
}

export interface VerifierState {
  /** The service URL of the last successful run (informative: a log may move, its key and origin may not). */
  readonly url: string;
  readonly origin: string;
  /** The pinned signed-note verifier key. */
  readonly publicKey: string;
  /** Every checkpoint verified by an earlier run, smallest first. */
  readonly checkpoints: readonly SavedCheckpoint[];
}

const STATE_FILE = 'state.json';
const LEAF_FILE = 'leaves.bin';

const stateSchema = z.object({
  version: z.literal(1),
  url: z.string(),
  origin: z.string(),
  publicKey: z.string(),
  checkpoints: z.array(z.object({ size: z.number().int().min(0), note: z.string(), savedAt: z.string() })),
});

export interface StateDir {
  readonly dir: string;
  /** The saved state, or undefined for a new dir. */
  load(): VerifierState | undefined;
  save(state: VerifierState): void;
  readonly leaves: LeafFile;
}

export const openStateDir = (dir: string): StateDir => {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new VerifierError('state', `cannot create the state dir ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const file = join(dir, STATE_FILE);

  const load = (): VerifierState | undefined => {
    if (!existsSync(file)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new VerifierError('state', `${file} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) throw new VerifierError('state', `${file} is not a verifier state file (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const { url, origin, publicKey } = parsed.data;
    const checkpoints = parsed.data.checkpoints.map(({ size, note, savedAt }): SavedCheckpoint => {
      let checkpoint: Checkpoint;
      try {
        checkpoint = verifyCheckpoint(note, publicKey, { origin }).checkpoint;
      } catch (error) {
        throw new VerifierError('state', `${file}: the saved checkpoint of size ${size} does not verify with the pinned key: ${(error as Error).message}`, { cause: error });
      }
      if (checkpoint.size !== size) throw new VerifierError('state', `${file}: the saved checkpoint listed as size ${size} has size ${checkpoint.size}`);
      return { size, root: checkpoint.root, note, savedAt };
    });
    return { url, origin, publicKey, checkpoints: checkpoints.sort((a, b) => a.size - b.size) };
  };

  const save = (state: VerifierState): void => {
    const body = {
      version: 1,
      url: state.url,
      origin: state.origin,
      publicKey: state.publicKey,
      checkpoints: state.checkpoints.map(({ size, note, savedAt }) => ({ size, note, savedAt })),
    };
    const temp = `${file}.tmp`;
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(temp, file);
  };

  return { dir, load, save, leaves: openLeafFile(join(dir, LEAF_FILE)) };
};
