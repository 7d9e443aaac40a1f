/** Child process of the determinism test: replays the fixed history and prints every projection's digests. */
import { allProjections } from '../../projections/index.js';
import { canonicalView, digestsOf } from '../../projections/digest.js';
import { mixedHistory } from './mixed-history.js';
import { replay } from './events.js';

const out: Record<string, { digests: Record<string, string>; canonical: string }> = {};
for (const projection of allProjections) {
  const state = replay(projection, mixedHistory());
  out[projection.name] = { digests: digestsOf(projection, state), canonical: canonicalView(state) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
