import compression from 'compression';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { UnsupportedMediaTypeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { metricsRouter, requestMetrics, type Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { requestLog } from './request-log.js';
import type { InFlight } from './in-flight.js';
import { securityHeaders } from './security.js';

export interface AppOptions {
  logger: Logger;
  bodyLimit: string;
  trustProxy: boolean;
  /** The structured /ready report (database, Redis, channels); gates on its `status`. */
  readiness?: () => Promise<Readiness>;
  /** A plain database round trip for /ready, when no structured report is given. */
  isReady?: () => Promise<boolean>;
  /** Prometheus metrics: every request is timed; GET /metrics needs `Bearer <token>`. */
  metrics?: { metrics: Metrics; token?: string };
  /** Routers mounted in order, each at its own path. */
  routers: Array<{ path: string; router: Router }>;
  /**
   * Routers of GET routes that read no body (the viability API, the busiest): mounted first after
   * the probes, so their requests skip the layers that only bodies and other paths need.
   */
  bodilessRouters?: Array<{ path: string; router: Router }>;
  /** Routers that read the raw body themselves (signed webhooks): mounted before the parsers. */
  rawBodyRouters?: Array<{ path: string; router: Router }>;
  /**
   * Smaller body limits by path prefix (public pages and the web chat), applied before the
   * app-wide `bodyLimit` parser, which then leaves those bodies alone.
   */
  bodyLimits?: Array<{ path: string; limit: string }>;
  /** Tracks running requests for a bounded shutdown (src/server.ts). */
  inFlight?: InFlight;
}

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Runs a body parser only when the request has a body (most API calls are bodiless GETs). */
function whenBody(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (hasBody(req)) parser(req, res, next);
    else next();
  };
}

const ACCEPTED_BODIES = [
  'application/json',
  'application/*+json',
  'application/x-www-form-urlencoded',
];

/**
 * A body in any other media type (text/plain, a form upload, none given) is refused with 415
 * before anything reads it: parsed as nothing, it used to reach the routes as `{}`.
 */
export const requireKnownBody: RequestHandler = (req, _res, next) => {
  if (!hasBody(req) || req.is(ACCEPTED_BODIES)) return next();
  const given = req.headers['content-type'] ?? 'none';
  throw new UnsupportedMediaTypeError(
    `request body of type ${given.slice(0, 100)} is not accepted: send it as application/json`,
  );
};

function parsers(limit: string): RequestHandler[] {
  return [
    whenBody(express.json({ limit })),
    whenBody(express.urlencoded({ extended: true, limit })),
  ];
}

/** Server-sent events must reach the client as they are written, so they are never compressed. */
function shouldCompress(req: Request, res: Response): boolean {
  const type = res.getHeader('Content-Type');
  if (typeof type === 'string' && type.startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
}

async function legacyReadiness(isReady: () => Promise<boolean>) {
  const up = await isReady().catch(() => false);
  return { status: up ? 'ready' : 'unavailable', database: up };
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers change with every write; hashing each body for an ETag buys nothing.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy);
  // OZmap clients send filters as JSON strings; node's querystring is enough and much cheaper than qs.
  app.set('query parser', 'simple');

  app.use(securityHeaders());
  if (options.metrics) app.use(requestMetrics(options.metrics.metrics));
  app.use(requestLog(options.logger));
  if (options.inFlight) app.use(options.inFlight.middleware);
  // Level 6 (zlib's default): the FindME bundle goes from 175 KB to ~53 KB; bodies under 1 KB stay plain.
  app.use(compression({ filter: shouldCompress, threshold: 1024 }));
  // Behind the same middleware as every route: each probe is logged and timed, and the benchmarks'
  // viability/health ratio compares like with like (docs/benchmarks.md).
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const report = options.readiness
      ? await options.readiness()
      : await legacyReadiness(options.isReady ?? (() => Promise.resolve(true)));
    res
      .status(report.status === 'ready' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });
  for (const { path, router } of options.bodilessRouters ?? []) app.use(path, router);
  if (options.metrics) app.use(metricsRouter(options.metrics.metrics, options.metrics.token));
  for (const { path, router } of options.rawBodyRouters ?? []) app.use(path, router);
  app.use(requireKnownBody);
  for (const { path, limit } of options.bodyLimits ?? []) app.use(path, ...parsers(limit));
  app.use(...parsers(options.bodyLimit));
  for (const { path, router } of options.routers) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
