import express, { type RequestHandler, type Router } from 'express';
import { UnsupportedMediaTypeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { requestLog } from './request-log.js';
import type { InFlight } from './in-flight.js';

export interface AppOptions {
  logger: Logger;
  bodyLimit: string;
  trustProxy: boolean;
  /** Database round trip for /ready. */
  isReady: () => Promise<boolean>;
  /** Routers mounted in order, each at its own path. */
  routers: Array<{ path: string; router: Router }>;
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

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers change with every write; hashing each body for an ETag buys nothing.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy);
  // OZmap clients send filters as JSON strings; node's querystring is enough and much cheaper than qs.
  app.set('query parser', 'simple');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(requestLog(options.logger));
  if (options.inFlight) app.use(options.inFlight.middleware);
  app.get('/ready', async (_req, res) => {
    const ready = await options.isReady().catch(() => false);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', database: ready });
  });
  app.use(requireKnownBody);
  for (const { path, limit } of options.bodyLimits ?? []) app.use(path, ...parsers(limit));
  app.use(...parsers(options.bodyLimit));
  for (const { path, router } of options.routers) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
