import type { FastifyInstance } from 'fastify';

/** Every route the app serves, read from its router (`printRoutes`), as `{ method, url }`. */
export const servedRoutes = (app: FastifyInstance): { method: string; url: string }[] => {
  const routes: { method: string; url: string }[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    prefixes.length = match[1]!.length / 4;
    prefixes.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url: prefixes.join('') });
  }
  return routes;
};
