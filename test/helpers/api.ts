import type { FastifyInstance } from 'fastify';
import { admin } from './service.js';

/** Small client over `app.inject` for tests that set up an initiative and its keys. */
export const api = (app: FastifyInstance) => {
  const post = async (url: string, payload: unknown, headers: Record<string, string> = admin) => {
    const res = await app.inject({ method: 'POST', url, headers, payload: payload as object });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };
  const created = async (url: string, payload: unknown, headers: Record<string, string> = admin): Promise<string> => {
    const res = await post(url, payload, headers);
    if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  return {
    post,
    created,
    bearer,
    launch: (name = 'Clean River Partnership') => created('/initiatives', { name, problemStatement: 'Runoff pollutes the river people drink from.' }),
    partner: (initiativeId: string, name: string, sector = 'nonprofit', headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/partners`, { name, sector, primaryInterests: ['water quality'] }, headers),
    key: async (body: { role: string; initiativeId?: string; partnerId?: string; label?: string }, headers: Record<string, string> = admin) => {
      const res = await post('/access-keys', { label: `${body.role} key`, ...body }, headers);
      if (res.status !== 201) throw new Error(`key answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, headers: bearer(res.body.key as string), key: res.body.key as string };
    },
  };
};
