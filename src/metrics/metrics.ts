import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the service reports about itself; each source is read when Prometheus scrapes (nothing is polled). */
export interface MetricSources {
  followerHead(): number;
  treeSize(): number;
  latestCheckpointSize(): number | undefined;
  storeStats?(): { commits: number; appends: number; events: number };
  sseClients(): { connected: number; waiting: number };
  /** Webhook jobs by BullMQ state, or undefined without Redis (or while it is down). */
  webhookQueue?(): Promise<Record<string, number> | undefined>;
}

/**
 * Prometheus metrics (`GET /metrics`, design §7), on a registry of their own (several services can live in one
 * process, as in the tests): process defaults (memory, CPU, event-loop lag, GC), HTTP requests by route and
 * status with their latency, the follower's position, the store's group commit, the transparency log, SSE clients
 * and the webhook queue and deliveries.
 */
export const createMetrics = (sources: MetricSources) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'ledger_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed, rejected, gone, abandoned)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const deliveryLatency = new Histogram({
    name: 'ledger_webhook_attempt_duration_seconds',
    help: 'Time of one webhook delivery attempt',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  gauge('ledger_follower_seq', 'The highest seq the follower has applied (-1 before the first event)', sources.followerHead);
  gauge('ledger_transparency_tree_size', 'Leaves in the transparency log', sources.treeSize);
  gauge('ledger_checkpoint_tree_size', 'Tree size of the latest signed checkpoint', sources.latestCheckpointSize);
  gauge('ledger_sse_clients', 'Connected live-feed (SSE) clients', () => sources.sseClients().connected);
  if (sources.storeStats) {
    const stats = sources.storeStats;
    gauge('ledger_store_commits', 'Durable commits of the embedded store since start', () => stats().commits);
    gauge('ledger_store_appends', 'Appends acknowledged since start (group commit shares commits between them)', () => stats().appends);
    gauge('ledger_store_events', 'Events appended since start', () => stats().events);
  }
  if (sources.webhookQueue) {
    const queue = sources.webhookQueue;
    new Gauge({
      name: 'ledger_webhook_jobs',
      help: 'Webhook delivery jobs in the queue, by state',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const counts = await queue().catch(() => undefined);
        this.reset();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
  }

  return {
    registry,
    /** Called once per answered request. */
    request(method: string, route: string, status: number, seconds: number): void {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    /** Called once per webhook delivery attempt. */
    attempt(outcome: string, seconds: number): void {
      deliveries.inc({ outcome });
      deliveryLatency.observe(seconds);
    },
    text: (): Promise<string> => registry.metrics(),
    contentType: registry.contentType,
  };
};
export type Metrics = ReturnType<typeof createMetrics>;
