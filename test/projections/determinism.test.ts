import t from 'tap';
import { allProjections } from '../../projections/index.js';
import { canonicalView, digestsOf } from '../../projections/digest.js';
import { collectLines, spawnTs } from '../helpers/child.js';
import { UNREAD_METADATA } from '../../src/store/event-store.js';
import { replay } from './events.js';
import { mixedHistory } from './mixed-history.js';

t.test('every projection replays to byte-identical canonical state and digests, twice and in a fresh process', async (t) => {
  const lines: string[] = [];
  const { code, stderr } = await collectLines(spawnTs('test/projections/digests-child.ts', []), (line) => lines.push(line));
  t.equal(code, 0, stderr);
  const child = JSON.parse(lines.join('')) as Record<string, { digests: Record<string, string>; canonical: string }>;
  for (const projection of allProjections) {
    const first = replay(projection, mixedHistory());
    const second = replay(projection, mixedHistory());
    t.equal(canonicalView(first), canonicalView(second), `${projection.name}: same canonical state on a second replay`);
    t.equal(canonicalView(first), child[projection.name]?.canonical, `${projection.name}: same bytes in a fresh process`);
    t.same(digestsOf(projection, first), child[projection.name]?.digests, `${projection.name}: same digests in a fresh process`);
    t.ok(Object.keys(digestsOf(projection, first)).length > 0, `${projection.name}: the history produced a view`);
  }
});

t.test('a projection that declares it never reads metadata replays the same without it (an asOf replay leaves it unread)', async (t) => {
  const blind = allProjections.filter((projection) => projection.readsMetadata === false);
  t.ok(blind.length > 0, blind.map((projection) => projection.name).join(', '));
  for (const projection of blind) {
    // Applied as they are: `replay` hands each event over as a structured clone, which the throwing metadata has none of.
    const blindState = mixedHistory().reduce((state, event) => projection.apply(state, { ...event, metadata: UNREAD_METADATA }), projection.init());
    t.equal(canonicalView(blindState), canonicalView(replay(projection, mixedHistory())), projection.name);
  }
  t.throws(() => UNREAD_METADATA.recordedAt, /read without its metadata/, 'and one that read it would fail loudly');
});
