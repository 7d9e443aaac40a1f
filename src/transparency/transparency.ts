import type Database from 'better-sqlite3';
import type { SeqIndex } from '../follower/local-state.js';
import type { EventStore } from '../store/event-store.js';
import { createCheckpointer, type StoredCheckpoint } from './checkpointer.js';
import { toHex } from './hashing.js';
import { createLogConsumer } from './log-consumer.js';
import { createLogReader } from './log-reader.js';
import { consistencyProof, inclusionProof, rootAt } from './merkle.js';
import { createNodeStore } from './node-store.js';
import type { NoteSigner } from './signed-note.js';

export interface TransparencyOptions {
  db: Database.Database;
  store: Pick<EventStore, 'readAll'>;
  seqIndex: Pick<SeqIndex, 'get'>;
  signer: NoteSigner;
  origin: string;
  checkpointEvery: { events: number; seconds: number };
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
}

/** 400-class input problems of proofs (sizes out of range) are reported as such by the HTTP layer. */
export class ProofRangeError extends RangeError {
  override readonly name = 'ProofRangeError';
}

/**
 * The transparency log of design §6 assembled: the follower consumer that grows the tree, the node store,
 * the checkpointer, the entry reader and the proofs.
 */
export const createTransparency = (options: TransparencyOptions) => {
  const nodes = createNodeStore(options.db);
  let onGrow: (size: number) => void = () => undefined;
  const log = createLogConsumer(nodes, { onGrow: (size) => onGrow(size) });
  const checkpointer = createCheckpointer({
    db: options.db,
    signer: options.signer,
    origin: options.origin,
    log: { size: log.size, root: log.root, rootAt: (size) => rootAt(size, nodes.read) },
    everyEvents: options.checkpointEvery.events,
    everySeconds: options.checkpointEvery.seconds,
    onCheckpoint: options.onCheckpoint,
  });
  onGrow = checkpointer.onGrow;
  const reader = createLogReader({ store: options.store, seqIndex: options.seqIndex, nodes, size: log.size });

  const checkSize = (treeSize: number) => {
    if (treeSize > log.size()) throw new ProofRangeError(`the log has ${log.size()} leaves; treeSize ${treeSize} is beyond it`);
  };

  return {
    consumer: log.consumer,
    size: log.size,
    root: log.root,
    checkpointer,
    reader,
    publicKey: options.signer.verifierKey,
    origin: options.origin,
    inclusion(seq: number, treeSize: number) {
      checkSize(treeSize);
      if (seq >= treeSize) throw new ProofRangeError(`seq ${seq} is not below treeSize ${treeSize}`);
      return { seq, treeSize, leafHash: toHex(nodes.read(0, seq)), hashes: inclusionProof(seq, treeSize, nodes.read).map(toHex) };
    },
    consistency(from: number, to: number) {
      checkSize(to);
      if (from > to) throw new ProofRangeError(`from ${from} is above to ${to}`);
      return { from, to, hashes: consistencyProof(from, to, nodes.read).map(toHex) };
    },
  };
};
export type Transparency = ReturnType<typeof createTransparency>;
