import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { Projection } from './projection.js';

/** RFC 8785 canonical JSON of a view: the bytes an auditor's replay must reproduce exactly. */
export const canonicalView = (view: unknown): string => {
  const text = canonicalize(view);
  if (text === undefined) throw new TypeError('a view must be JSON');
  return text;
};

/** SHA-256 (hex) of the canonical view. */
export const viewDigest = (view: unknown): string => createHash('sha256').update(canonicalView(view)).digest('hex');

/** Per-initiative digests of one projection's state. */
export const digestsOf = <S>(projection: Projection<S>, state: S): Record<string, string> => {
  const digests: Record<string, string> = {};
  for (const id of projection.initiatives(state).sort()) digests[id] = viewDigest(projection.viewOf(state, id));
  return digests;
};
