import express, { type Router } from 'express';
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
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'extended');

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
  app.use(express.json({ limit: options.bodyLimit }));
  app.use(express.urlencoded({ extended: true, limit: options.bodyLimit }));
  for (const { path, router } of options.routers) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
