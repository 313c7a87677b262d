import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Router } from 'express';
import express from 'express';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CollectFunction,
} from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics, on a registry of its own (several servers can share a process
 * in tests). Names follow Prometheus conventions: base units, `_total` for counters.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'alcance_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly viabilityDuration = new Histogram({
    name: 'alcance_viability_query_duration_seconds',
    help: 'Time the viability index takes to answer one query (in-process, no I/O)',
    labelNames: ['kind'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });

  readonly reservations = new Counter({
    name: 'alcance_reservations_total',
    help: 'Reservation requests handled by this instance, by source and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly conversationSteps = new Counter({
    name: 'alcance_conversation_steps_total',
    help: 'Conversation states written by this instance, by channel and step reached',
    labelNames: ['channel', 'step'] as const,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'alcance_job_runs_total',
    help: 'Scheduled job runs executed by this instance, by job and result',
    labelNames: ['job', 'result'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'alcance_job_duration_seconds',
    help: 'Scheduled job run time, by job',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [this.registry],
  });

  readonly syncLag = new Gauge({
    name: 'alcance_network_sync_lag_seconds',
    help: 'Age of the newest inventory change this instance has applied when it applied it (0 when idle)',
    registers: [this.registry],
  });

  readonly syncApplied = new Counter({
    name: 'alcance_network_sync_changes_total',
    help: 'Inventory change-log entries this instance applied to its viability index',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose value is read at scrape time (database counts, channel states). */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: CollectFunction<Gauge<L>>,
  ): Gauge<L> {
    return new Gauge({ name, help, labelNames, collect, registers: [this.registry] });
  }

  /** Times `fn` into the viability histogram (synchronous: the index does no I/O). */
  timeViability<T>(kind: string, fn: () => T): T {
    const started = performance.now();
    try {
      return fn();
    } finally {
      this.viabilityDuration.observe({ kind }, (performance.now() - started) / 1000);
    }
  }
}

/** The route pattern a request matched (`/api/v2/boxes/:id`), never its concrete path. */
function routeLabel(req: Request, status: number): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}` || '/';
  if (status === 404) return 'unmatched';
  // Static files and routers answering without a route (assets): their mount point.
  return req.baseUrl || 'other';
}

/** Observes every request's latency by route pattern. Mount before the routers. */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe(
        {
          route: routeLabel(req, res.statusCode),
          method: req.method,
          status: `${Math.floor(res.statusCode / 100)}xx`,
        },
        seconds,
      );
    });
    next();
  };
}

function sameToken(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics in the Prometheus text format, for `Authorization: Bearer <METRICS_TOKEN>` only.
 * Without a configured token the route answers 404, so metrics are never public by accident.
 */
export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    if (!token) {
      res.status(404).json({ message: 'metrics are disabled: set METRICS_TOKEN to enable them' });
      return;
    }
    const header = req.get('authorization') ?? '';
    const received = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!received || !sameToken(token, received)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .json({ message: 'authorization: a valid "Bearer <METRICS_TOKEN>" is required' });
      return;
    }
    res
      .set('Content-Type', metrics.registry.contentType)
      .set('Cache-Control', 'no-store')
      .send(await metrics.registry.metrics());
  });
  return router;
}
