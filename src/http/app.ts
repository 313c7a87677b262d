import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { requestLog } from './request-log.js';

export interface AppOptions {
  logger: Logger;
  bodyLimit: string;
  trustProxy: boolean;
  /** Database round trip for /ready. */
  isReady: () => Promise<boolean>;
  /** Routers mounted in order, each at its own path. */
  routers: Array<{ path: string; router: Router }>;
  /** Routers that read the raw body themselves (signed webhooks): mounted before the parsers. */
  rawBodyRouters?: Array<{ path: string; router: Router }>;
}

/** Runs a body parser only when the request has a body (most API calls are bodiless GETs). */
function whenBody(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const length = req.headers['content-length'];
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (hasBody) parser(req, res, next);
    else next();
  };
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
  app.get('/ready', async (_req, res) => {
    const ready = await options.isReady().catch(() => false);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', database: ready });
  });
  for (const { path, router } of options.rawBodyRouters ?? []) app.use(path, router);
  app.use(whenBody(express.json({ limit: options.bodyLimit })));
  app.use(whenBody(express.urlencoded({ extended: true, limit: options.bodyLimit })));
  for (const { path, router } of options.routers) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
