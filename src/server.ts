import type { Server } from 'node:http';
import type { Router } from 'express';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Logger } from './logger.js';
import { createApp } from './http/app.js';
import { createDb } from './ozmap-model/db/client.js';
import { applyMigrations } from './ozmap-model/db/migrate.js';
import { refreshPlannerStatsOf } from './ozmap-model/db/planner-stats.js';
import { ApiKeyVerifier } from './ozmap-model/api-keys.js';
import { ozmapApiRouter } from './integrations/ozmap-api/router.js';
import { viabilityRouter } from './integrations/ozmap-api/viability-route.js';
import { Settings } from './services/settings.js';
import { ViabilityService } from './services/viability-service.js';
import { PoleNetwork } from './services/pole-network.js';
import { CondoAreas } from './services/condo-areas.js';
import { NetworkBroadcast } from './services/network-broadcast.js';
import { ReservationService } from './services/reservations.js';
import { releaseExpiredReservations } from './jobs/reservation-expiry.js';
import { JobScheduler, processOwner } from './jobs/scheduler.js';
import { SecretBox } from './security/secret-box.js';
import { loadSecretsKey } from './security/secrets-key.js';
import { createChatSystem, type ChatSystem } from './bot/chat-system.js';
import type { ConnectSocket } from './bot/whatsapp/baileys.js';
import { createSalesWorkspace, SalesChangeRelay, type SalesWorkspace } from './sales/index.js';
import { withLease } from './jobs/lease.js';
import { Integrations } from './services/integrations.js';
import { adminRouter } from './integrations/admin-router.js';
import { createGeocoder } from './findme/index.js';
import { ozlocRouter } from './integrations/ispbox/ozloc-routes.js';
import { createRateLimits } from './http/rate-limits.js';
import { answerClientError } from './http/client-error.js';
import { InFlight } from './http/in-flight.js';
import { guardRouter, publicRateLimit } from './http/public-limit.js';
import type { RateLimits } from './http/rate-limits.js';
import { Metrics } from './http/metrics.js';
import { checkReadiness, type ChannelReport } from './http/readiness.js';
import {
  databaseGauges,
  observeJobs,
  observeReservations,
  observeViability,
} from './services/observed.js';
import { NetworkSync, pruneNetworkChanges } from './services/network-sync.js';
import { SyncRunStore } from './integrations/sync-runs/store.js';
import { SyncRegistry } from './integrations/sync-runs/registry.js';
import { syncRunsRouter } from './integrations/sync-runs/routes.js';
import { SgpSync } from './integrations/sgp/sync.js';
import { SgpSchedules } from './integrations/sgp/schedule.js';
import { wireGeogrid } from './integrations/geogrid/wiring.js';

export interface ContextOptions {
  now?: () => Date;
  /** Runs after migrations, before the index loads (the demo-network seeding hooks in here). */
  beforeListen?: (ctx: Pick<AppContext, 'config' | 'logger' | 'db'>) => Promise<void>;
}

export interface BuiltContext {
  ctx: AppContext;
  redis?: Redis;
  /** Reads the inventory change log so this instance's index stays exact (see network-sync.ts). */
  networkSync: NetworkSync;
  migrations: { latest?: string; count: number };
  /** Inventory writers call it after changes that matter to sales; the workspace listens. */
  salesChanges: SalesChangeRelay;
  close(): Promise<void>;
}

/** Migrates the database and builds the services every surface shares (HTTP, CLI chat, jobs). */
export async function buildContext(
  config: Config,
  logger: Logger,
  options: ContextOptions = {},
): Promise<BuiltContext> {
  const migrations = await applyMigrations(config.database.url, {
    apply: config.database.migrateOnStart,
  });
  if (migrations.applied.length) logger.info({ applied: migrations.applied }, 'database migrated');
  const db = createDb(config.database.url, {
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  await options.beforeListen?.({ config, logger, db });

  const settings = new Settings(db, config.viability.defaultRadiusMeters);
  await settings.reload();
  const metrics = new Metrics();
  // Read before the index loads: whatever changes while it loads is applied from the log after.
  const loadedVersion = await NetworkSync.currentVersion(db);
  // Both at once: a large pole network loads in a worker thread meanwhile (pole-network.ts).
  const [viability, poles] = await Promise.all([
    ViabilityService.load(db, {
      defaultRadiusMeters: () => settings.defaultRadiusMeters,
      maxBoxes: () => settings.maxBoxesInRadius,
      maxRadiusMeters: config.viability.maxRadiusMeters,
      logger,
      viabilitySettings: () => settings.viability,
    }),
    PoleNetwork.load(db, logger),
  ]);
  viability.attach({ poles, condos: await CondoAreas.load(db) });
  const now = options.now ?? (() => new Date());
  const secretsKey = loadSecretsKey(config.secrets);
  if (secretsKey.generated) {
    logger.warn(
      { keyFile: config.secrets.keyFile },
      'generated a secrets key file: back it up, and set SECRETS_KEY when several instances share the database',
    );
  }
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 })
    : undefined;
  redis?.on('error', (err) => logger.warn({ err }, 'redis error'));
  // With Redis, every instance hears about the others' inventory writes.
  const broadcast = redis ? await NetworkBroadcast.start(viability, redis, logger) : undefined;
  const network = broadcast ?? viability;
  const secrets = SecretBox.fromKey(secretsKey.key);
  const networkSync = new NetworkSync({
    db,
    local: viability,
    logger: logger.child({ component: 'network-sync' }),
    from: loadedVersion,
    intervalMs: config.networkSync.intervalMs,
    onApplied: (count, lagMs) => {
      metrics.syncApplied.inc({ via: 'log' }, count);
      metrics.syncLag.set(lagMs / 1000);
    },
  }).start();
  // Back from a Redis outage: broadcasts were missed meanwhile, so catch up from the log at once.
  redis?.on('ready', () => void networkSync.pollNow().catch(() => undefined));
  observeViability(viability, metrics);
  databaseGauges(db, metrics);
  const salesChanges = new SalesChangeRelay();
  const reservations = new ReservationService({
    db,
    network,
    finder: viability,
    now,
    events: salesChanges,
  });
  observeReservations(reservations, metrics);
  const ctx: AppContext = {
    config,
    logger,
    db,
    apiKeys: new ApiKeyVerifier(db),
    network,
    settings,
    viability,
    reservations,
    integrations: new Integrations(db, config.reservations.chatbotDays, { secrets }),
    geocoder: createGeocoder(config.geocoder, redis),
    rateLimits: createRateLimits(config.rateLimits, redis),
    secrets,
    jobs: new JobScheduler({ db, logger, now, leaseMs: config.scheduler.leaseMs }),
    syncRuns: new SyncRunStore(db, { now }),
    syncs: new SyncRegistry(),
    now,
    metrics,
  };
  observeJobs(ctx.jobs, metrics);
  const known = [...migrations.alreadyApplied, ...migrations.applied].sort();
  return {
    ctx,
    redis,
    networkSync,
    migrations: { latest: known.at(-1), count: known.length },
    salesChanges,
    async close() {
      networkSync.stop();
      await ctx.jobs.stop();
      broadcast?.stop();
      redis?.disconnect();
      await db.$disconnect();
    },
  };
}

/**
 * Per-client limits in front of the public surfaces (FindME, OZloc, the web chat): each counts
 * every request per IP; web chat messages also count per chat session.
 */
function publicGuards(limits: RateLimits): Array<{ path: string; router: Router }> {
  const perIp = (site: string) => publicRateLimit(limits.publicPerIp, site);
  const perSession = publicRateLimit(limits.webChatPerSession, 'Alcance', (req) => {
    const session = (req.body as { sessionId?: unknown } | undefined)?.sessionId;
    return req.method === 'POST' && req.path === '/messages' && typeof session === 'string'
      ? session
      : undefined;
  });
  return [
    { path: '/findme', router: guardRouter(perIp('FindME')) },
    { path: '/ozloc', router: guardRouter(perIp('OZloc')) },
    { path: '/chat', router: guardRouter(perIp('Alcance'), perSession) },
  ];
}

export interface RunningServer {
  ctx: AppContext;
  chat: ChatSystem;
  sales: SalesWorkspace;
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions extends ContextOptions {
  /** Start the scheduled jobs (reservation expiry, syncs...); default true. */
  jobs?: boolean;
  /** Extra routers mounted before the built-in ones (tests, embedding). */
  routers?: Array<{ path: string; router: Router }>;
  /** Where the built web pages are (default web/dist); tests build into a temp folder. */
  webDist?: string;
  /** Opens WhatsApp sockets instead of Baileys (the multi-instance suite's simulated WhatsApp). */
  whatsappConnect?: ConnectSocket;
}

/** Builds the context, wires the HTTP surface and the chat channels, and listens. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const built = await buildContext(config, logger, options);
  const { ctx } = built;
  const leaseOwner = processOwner();
  const sales = await createSalesWorkspace(ctx, {
    redis: built.redis,
    secrets: ctx.secrets,
    lease: (key, fn) =>
      withLease(ctx.db, key, { owner: leaseOwner, ttlMs: 60_000, now: ctx.now }, fn),
    changes: built.salesChanges,
    webDist: options.webDist,
  });
  const chat = await createChatSystem(ctx, built.redis, {
    ...sales.chatHooks,
    whatsappConnect: options.whatsappConnect,
    webDist: options.webDist,
  });
  try {
    await chat.prepare();
  } catch (err) {
    await built.close();
    throw err;
  }
  sales.attachChat({
    send: (channel, chatId, messages) => chat.send(channel, chatId, messages),
    release: (channel, chatId) => chat.engine.release(channel, chatId),
    telegram: chat.telegram,
  });
  ctx.jobs.register('sales-webhooks', { everyMs: 15_000 }, async ({ signal }) => {
    await sales.delivery.run(signal);
  });
  ctx.jobs.register('sales-handoff-escalation', { everyMs: 60_000 }, async () => {
    await sales.handoffs.escalate();
  });
  const sgp = new SgpSync({
    ...ctx,
    runs: ctx.syncRuns,
    owner: ctx.jobs.ownerId,
    leaseMs: config.scheduler.leaseMs,
    restRatio: config.syncCycleRestRatio,
    ...(config.syncCycleThread
      ? {
          thread: {
            logLevel: config.logLevel,
            statementTimeoutMs: config.database.statementTimeoutMs,
          },
        }
      : {}),
  });
  ctx.syncs.register('sgp', sgp);
  const sgpSchedules = new SgpSchedules(ctx.jobs, ctx.integrations, sgp, logger);
  if (options.jobs !== false) await sgpSchedules.refresh();
  const geogrid = wireGeogrid(ctx);
  if (options.jobs !== false) await geogrid.schedules.refresh();
  ctx.jobs.register(
    'reservation-expiry',
    { everyMs: config.reservations.expiryJobIntervalMs },
    async () => {
      await releaseExpiredReservations(ctx.db, ctx.network, logger, ctx.now());
      built.salesChanges.changed();
    },
  );
  // SQLite's recommended hourly `PRAGMA optimize` for a long-lived connection (no-op elsewhere).
  ctx.jobs.register('sqlite-planner-stats', { everyMs: 3_600_000 }, async () => {
    await refreshPlannerStatsOf(ctx.db);
  });
  ctx.jobs.register('network-change-prune', { everyMs: 3_600_000 }, async ({ logger: log }) => {
    const pruned = await pruneNetworkChanges(
      ctx.db,
      ctx.now().getTime(),
      config.networkSync.retentionMs,
    );
    if (pruned) log.info({ pruned }, 'forgot change-log rows of deleted boxes');
  });

  const inFlight = new InFlight();
  const app = createApp({
    logger,
    inFlight,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    readiness: () =>
      checkReadiness({
        database: () => ctx.db.$queryRawUnsafe('SELECT 1'),
        databaseDetails: { provider: config.database.provider, migrations: built.migrations },
        redis: built.redis ? redisProbe(built.redis) : undefined,
        channels: () => channelReports(config, chat),
        details: () => ({ networkSync: built.networkSync.status() }),
      }),
    metrics: { metrics: ctx.metrics, token: config.metrics.token },
    // Public surfaces take small bodies: the app-wide limit is for the API's batch writes.
    bodyLimits: [
      { path: '/chat', limit: '16kb' },
      { path: '/ozloc', limit: '8kb' },
    ],
    bodilessRouters: [{ path: '/api/v2/ftth-viability', router: viabilityRouter(ctx) }],
    rawBodyRouters: chat.rawBodyRouters,
    routers: [
      ...(options.routers ?? []),
      ...publicGuards(ctx.rateLimits),
      { path: '/api/v2', router: ozmapApiRouter(ctx) },
      { path: '/', router: adminRouter(ctx) },
      { path: '/', router: syncRunsRouter(ctx) },
      { path: '/', router: geogrid.router },
      { path: '/ozloc', router: ozlocRouter(ctx, { webDist: options.webDist }) },
      ...chat.routers,
      ...sales.routers,
    ],
  });

  ctx.metrics.gauge(
    'alcance_channel_up',
    'Chat channel state on this instance: 1 connected, 0.5 standing by (another instance holds it), 0 down',
    ['channel'],
    function () {
      this.reset();
      const value = { up: 1, standby: 0.5, down: 0, disabled: -1 } as const;
      for (const [channel, report] of Object.entries(channelReports(config, chat)))
        if (report.status !== 'disabled') this.set({ channel }, value[report.status]);
    },
  );

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  // Longer than a load balancer's idle timeout (60 s on most), so it never reuses a socket we are
  // closing; the headers timeout must exceed it, or an idle kept-alive socket is reset early.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', answerClientError);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: config.database.provider }, 'listening');
  await chat.start();
  if (options.jobs !== false) {
    ctx.jobs.start();
    sgpSchedules.start();
    geogrid.schedules.start();
    sales.start();
  }

  let closing: Promise<void> | undefined;
  // The whole shutdown fits in SHUTDOWN_TIMEOUT_MS: requests get that long to finish, then their
  // connections are cut and the rest (channels, Redis, database) closes with what time is left.
  const close = () =>
    (closing ??= (async () => {
      const deadline = Date.now() + config.shutdownTimeoutMs;
      inFlight.close();
      // Live streams never go idle: end them so the server can drain.
      await withDeadline(sales.stop(), deadline, logger, 'live streams');
      // Running jobs get their abort signal now and the same deadline as requests.
      sgpSchedules.stop();
      geogrid.schedules.stop();
      const jobsStopped = ctx.jobs.stop();
      const listening = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections go idle as their last request finishes: close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const drained = await inFlight.drain(deadline);
      clearInterval(sweeper);
      if (!drained) {
        logger.warn({ requests: inFlight.abort() }, 'shutdown deadline: aborting requests');
      }
      server.closeAllConnections();
      await listening;
      await withDeadline(jobsStopped, deadline, logger, 'scheduled jobs');
      // Sweeps and outbox rounds the last requests set off finish before the database closes.
      await withDeadline(sales.settle(), deadline, logger, 'sales work');
      await withDeadline(chat.stop(), deadline, logger, 'chat channels');
      await withDeadline(built.close(), deadline, logger, 'database and Redis');
      logger.info('stopped');
    })());

  return { ctx, chat, sales, server, url, close };
}

/** Waits for `work` until `deadline` (plus a short grace to close cleanly), then goes on. */
async function withDeadline(
  work: Promise<void>,
  deadline: number,
  logger: Logger,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(deadline - Date.now(), 0) + 250);
  });
  const result = await Promise.race([work.then(() => 'done' as const), late]).catch(
    (err: unknown) => {
      logger.warn({ err }, `shutdown: closing ${what} failed`);
      return 'failed' as const;
    },
  );
  clearTimeout(timer);
  if (result === 'late') logger.warn(`shutdown: gave up waiting for ${what}`);
}

/** Redis answers PING; a client that is not connected is down at once (its queue would wait). */
function redisProbe(redis: Redis): () => Promise<unknown> {
  return async () => {
    if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
    return redis.ping();
  };
}

/** Each configured chat channel's state, for /ready and the channel gauge. */
function channelReports(config: Config, chat: ChatSystem): Record<string, ChannelReport> {
  const reports: Record<string, ChannelReport> = {
    web: { status: config.chatbot.webChat ? 'up' : 'disabled' },
  };
  if (chat.telegram) {
    reports.telegram = {
      status: chat.telegram.isRunning ? 'up' : 'down',
      mode: chat.telegram.webhookPath ? 'webhook' : 'polling',
    };
  } else reports.telegram = { status: 'disabled' };
  if (chat.whatsapp) {
    const status = chat.whatsapp.status();
    reports.whatsapp = {
      status: status.state === 'open' ? 'up' : status.state === 'standby' ? 'standby' : 'down',
      state: status.state,
      session: status.session,
      ...(status.lastDisconnect ? { lastDisconnect: status.lastDisconnect } : {}),
    };
  } else reports.whatsapp = { status: 'disabled' };
  if (chat.whatsappCloud) {
    const status = chat.whatsappCloud.status();
    reports['whatsapp-cloud'] = {
      status: status.state === 'ready' ? 'up' : 'down',
      state: status.state,
      templates: status.templates,
    };
  } else reports['whatsapp-cloud'] = { status: 'disabled' };
  return reports;
}
