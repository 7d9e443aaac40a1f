/** An import that could not be completed. `committed` events (seq 0…committed−1) are in the store, in order. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    message: string,
    readonly committed: number,
    /** Events after the failure that the store acknowledged anyway (concurrent appends to other streams). */
    readonly stray: number,
  ) {
    super(message);
  }
}
