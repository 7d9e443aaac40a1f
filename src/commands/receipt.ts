/**
 * What every write returns (design §4): the resource it created or changed (`id`), the event that
 * recorded it, where that event stands in its stream, and its `seq` in the global order once the local
 * follower applied it (`null` if that took longer than the bounded wait; the write is durable anyway).
 */
export interface Receipt {
  id: string;
  eventId: string;
  stream: string;
  revision: number;
  seq: number | null;
  /** True when this answers a retried `Idempotency-Key`: nothing new was recorded. */
  replayed?: boolean;
  /**
   * Every event the command appended, in order (the last is `eventId`), for commands that record many resources
   * at once (a CSV import of readings). Absent on a replayed receipt. Not part of the HTTP receipt.
   */
  events?: ReadonlyArray<{ id: string; revision: number }>;
}
