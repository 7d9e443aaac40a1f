/**
 * npm run bench:feeds — the feeds of issue 6 §6:
 *   SSE fan-out: 1,000 concurrent clients of `GET /feeds/events`, events written at 200/s through the HTTP API;
 *   event-to-client latency p50/p99 (target p99 < 250 ms) and the server's RSS.
 * Environment: BENCH_SSE_CLIENTS, BENCH_SSE_RATE, BENCH_SECONDS to change the load.
 */
import { machine, writeResult } from './bench/machine.js';
import { benchSseFanout } from './bench/sse-fanout.js';

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

writeResult('bench/results/feeds.json', { machine: machine(), date: new Date().toISOString(), sse });
