/**
 * npm run bench:feeds — the feeds of issue 6 §6:
 *   SSE fan-out: 1,000 concurrent clients of `GET /feeds/events`, events written at 200/s through the HTTP API;
 *   event-to-client latency p50/p99 (target p99 < 250 ms) and the server's RSS.
 *   Webhooks: deliveries/s to a local receiver (a child process) through a private Redis and the BullMQ worker,
 *   every delivery signed (target ≥ 2,000/s), with the service's peak RSS.
 * Environment: BENCH_SSE_CLIENTS, BENCH_SSE_RATE, BENCH_SECONDS, BENCH_WEBHOOK_EVENTS, BENCH_WEBHOOK_SUBSCRIPTIONS;
 * REDIS_URL to use a running Redis instead of a private redis-server.
 */
import { machine, writeResult } from './bench/machine.js';
import { benchSseFanout } from './bench/sse-fanout.js';
import { benchWebhookDeliveries } from './bench/webhook-deliveries.js';

const sse = await benchSseFanout({
  clients: Number(process.env.BENCH_SSE_CLIENTS ?? 1000),
  eventsPerSecond: Number(process.env.BENCH_SSE_RATE ?? 200),
  seconds: Number(process.env.BENCH_SECONDS ?? 20),
});

console.log(`
SSE fan-out: ${sse.clients} clients, ${sse.eventsPerSecond} events/s for ${sse.seconds} s
  event-to-client latency   p50 ${sse.latencyMs.p50} ms · p90 ${sse.latencyMs.p90} ms · p99 ${sse.latencyMs.p99} ms · max ${sse.latencyMs.max} ms  (target p99 < ${sse.targetP99Ms} ms: ${sse.met ? 'met' : 'NOT met'})
  deliveries                ${sse.deliveries.received} of ${sse.deliveries.expected} (missing ${sse.deliveries.missing}, out of order ${sse.deliveries.outOfOrder})
  writes                    ${sse.writes.sent} sent, ${sse.writes.failed} failed, p50 ${sse.writes.p50Ms} ms, p99 ${sse.writes.p99Ms} ms
  server RSS                idle ${sse.serverRssMiB.idle} MiB · with clients ${sse.serverRssMiB.withClients} MiB · peak ${sse.serverRssMiB.peak} MiB · end ${sse.serverRssMiB.end} MiB
  server CPU                ${Math.round(sse.serverCpuShare * 100)} % of one core while writing
  load generator            event loops busy: writer ${Math.round(sse.generatorEventLoopUtilization.writer * 100)} %, clients ${sse.generatorEventLoopUtilization.clients.map((u) => `${Math.round(u * 100)} %`).join(', ')}`);

const webhooks = await benchWebhookDeliveries({
  events: Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000),
  subscriptions: Number(process.env.BENCH_WEBHOOK_SUBSCRIPTIONS ?? 20),
});

console.log(`
Webhooks: ${webhooks.subscriptions} subscriptions × ${webhooks.events} events = ${webhooks.deliveries} signed deliveries
  deliveries/s              ${webhooks.deliveriesPerSecond}  (target ≥ ${webhooks.target.deliveriesPerSecond}: ${webhooks.target.met ? 'met' : 'NOT met'})
  first write → last        ${webhooks.endToEndSeconds} s (writes included)
  duplicates at receiver    ${webhooks.duplicates}
  service peak RSS          ${webhooks.peakRssMiB} MiB`);

writeResult('bench/results/feeds.json', { machine: machine(), date: new Date().toISOString(), sse, webhooks });
