import t from 'tap';
import { readFileSync } from 'node:fs';

/**
 * The service runs with V8 flags (a larger young generation: README, "Benchmarks", bench:http). The container and the
 * benchmarks that measure the service must run it the same way, or their figures describe another configuration.
 */
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const flagsOf = (command: string): string[] => command.match(/(?:^|&& )node ((?:--\S+ )*)/)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];

t.test('npm start gives node its flags, and everything that measures or ships the service uses the same', async (t) => {
  const serviceFlags = flagsOf(scripts.start!);
  t.ok(serviceFlags.includes('--max-semi-space-size=64'), `npm start: ${scripts.start}`);
  for (const bench of ['bench:http', 'bench:views', 'bench:feeds']) t.same(flagsOf(scripts[bench]!), serviceFlags, `${bench}: ${scripts[bench]}`);
  const cmd = readFileSync('Dockerfile', 'utf8').match(/^CMD (\[.*\])$/m)?.[1];
  t.ok(cmd, 'the Dockerfile has an exec-form CMD');
  const argv = JSON.parse(cmd!) as string[];
  t.same(argv.slice(1, -1), serviceFlags, `Dockerfile: ${cmd}`);
});
