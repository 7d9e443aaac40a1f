/**
 * The canonical text a store kept for an event's payload. The embedded store writes `data` and `metadata` as
 * RFC 8785 canonical JSON (canonical-json.ts) and, when it hands such an event out, attaches that text here, so
 * the transparency log assembles the leaf from it instead of canonicalizing the parsed objects again — the text
 * is what was stored, hashed once, and canonicalization happens once per event, when it is written.
 *
 * A WeakMap keyed by the event object keeps the text out of the event itself: nothing that serializes, spreads or
 * compares events sees it, and it goes when the event does. Only a store that knows its text is canonical attaches
 * it (a sqlite file written before the store did so does not); events without it are canonicalized as before.
 */
export interface CanonicalPayload {
  /** RFC 8785 text of the event's `data`. */
  readonly data: string;
  /** RFC 8785 text of the event's `metadata`. */
  readonly metadata: string;
}

const payloads = new WeakMap<object, CanonicalPayload>();

/** Records that `event.data` and `event.metadata` are the parse of exactly this canonical text. */
export const attachCanonicalPayload = <E extends object>(event: E, payload: CanonicalPayload): E => {
  payloads.set(event, payload);
  return event;
};

/** The canonical payload text attached to this very object, if its store attached one. */
export const canonicalPayloadOf = (event: object): CanonicalPayload | undefined => payloads.get(event);
