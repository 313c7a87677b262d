import type { Server } from 'node:http';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Logger } from './logger.js';
import { createApp } from './http/app.js';
import { createDb } from './ozmap-model/db/client.js';
import { applyMigrations } from './ozmap-model/db/migrate.js';
import { ApiKeyVerifier } from './ozmap-model/api-keys.js';

export interface RunningServer {
  ctx: AppContext;
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  now?: () => Date;
  /** Runs after migrations, before listening (the demo-network seeding hooks in here). */
  beforeListen?: (ctx: AppContext) => Promise<void>;
}

/** Migrates, wires the application and listens. `close()` drains in-flight requests first. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const migrations = await applyMigrations(config.database.url);
  if (migrations.applied.length) logger.info({ applied: migrations.applied }, 'database migrated');
  const db = createDb(config.database.url);
  const ctx: AppContext = {
    config,
    logger,
    db,
    apiKeys: new ApiKeyVerifier(db),
    network: { boxesChanged: async () => {}, regionsChanged: async () => {} },
    now: options.now ?? (() => new Date()),
  };
  await options.beforeListen?.(ctx);

  const app = createApp({
    logger,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    isReady: async () => {
      await db.$queryRawUnsafe('SELECT 1');
      return true;
    },
    routers: [],
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: config.database.provider }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await drained;
      clearTimeout(timer);
      await db.$disconnect();
      logger.info('stopped');
    })());

  return { ctx, server, url, close };
}
