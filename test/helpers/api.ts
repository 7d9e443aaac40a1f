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
  const get = async (url: string, headers: Record<string, string> = admin) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json(), type: res.headers['content-type'] };
  };
  /** A read that must answer 200: its body. */
  const ok = async <B>(url: string, headers: Record<string, string> = admin): Promise<B> => {
    const res = await get(url, headers);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as B;
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  return {
    post,
    created,
    get,
    ok,
    bearer,
    launch: (name = 'Clean River Partnership') => created('/initiatives', { name, problemStatement: 'Runoff pollutes the river people drink from.' }),
    partner: (initiativeId: string, name: string, sector = 'nonprofit', headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/partners`, { name, sector, primaryInterests: ['water quality'] }, headers),
    key: async (body: { role: string; initiativeId?: string; partnerId?: string; label?: string }, headers: Record<string, string> = admin) => {
      const res = await post('/access-keys', { label: `${body.role} key`, ...body }, headers);
      if (res.status !== 201) throw new Error(`key answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, headers: bearer(res.body.key as string), key: res.body.key as string };
    },
    goal: (initiativeId: string, title = 'Swimmable river by 2030', headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/goals`, { title }, headers),
    strategy: (initiativeId: string, goalId: string, title = 'Buffer strips along farmland', headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/strategies`, { goalId, title }, headers),
    /** A count indicator of the goal (baseline 2025-12-31, one 2026 target); `extra` overrides or adds fields. */
    indicator: (initiativeId: string, goalId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/indicators`, { ...indicatorBody(goalId), ...extra }, headers),
    /** A reading of `value` for Q1 2026 (or `extra.period`). */
    reading: (indicatorId: string, partnerId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
      created(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 12, ...extra }, headers),
    /** A funding commitment of 5000.00 EUR toward the goal. */
    commitment: (initiativeId: string, partnerId: string, goalId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/commitments`, { partnerId, goalId, kind: 'funding', money: { amount: '5000.00', currency: 'EUR' }, dueDate: '2026-12-31', ...extra }, headers),
    /** A proposal with options yes/no, majority, quorum one half. */
    decision: (initiativeId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/decisions`, { title: 'Adopt the monitoring plan', options: ['yes', 'no'], rule: 'majority', quorum: 0.5, ...extra }, headers),
    risk: (initiativeId: string, ownerPartnerId: string, headers?: Record<string, string>) =>
      created(`/initiatives/${initiativeId}/risks`, { title: 'Funding gap in year two', category: 'financial', likelihood: 'medium', impact: 'high', ownerPartnerId }, headers),
  };
};

/** The body of a count indicator of `goalId`, as `POST /initiatives/:id/indicators` takes it. */
export const indicatorBody = (goalId: string) => ({
  goalId,
  name: 'Households with safe drinking water',
  measure: 'count',
  unit: 'households',
  direction: 'increase',
  baseline: { value: 1200, date: '2025-12-31' },
  targets: [{ periodEnd: '2026-12-31', value: 2000 }],
  frequency: 'quarterly',
});
