import type { Response, Router } from 'express';
import type { Redis } from 'ioredis';
import type { AppContext } from '../context.js';
import type { ChatSystemOptions } from '../bot/chat-system.js';
import type { Channel, OutboundMessage } from '../bot/conversation/messages.js';
import { describeHours, parseBusinessHours } from './business-hours.js';
import { DeliveryWorker, type LeaseRunner, type TelegramNotifier } from './delivery.js';
import type { ReservationRows, SalesChangePort } from './events.js';
import { HandoffQueue, type ChatOut, type ChatRelease } from './handoffs.js';
import { MemoryLiveBus, RedisLiveBus, redisNamespace, type LiveBus } from './live.js';
import { OutboxDispatcher } from './outbox.js';
import { salesPageRouter, SALES_PATH } from './page.js';
import { SalesProspects } from './prospects.js';
import { SalesReservations } from './reservations.js';
import type { ReservationSnapshot } from './snapshots.js';
import { salesApiRouter } from './router.js';
import { salesAdminRouter } from './admin-routes.js';
import { SalesSessions } from './sessions.js';
import { LoginThrottle } from './throttle.js';
import { Transcript } from './transcript.js';
import { SalesUsers } from './users.js';
import { SalesWatch } from './watch.js';
import { WebhookEndpoints, type SecretSealer } from './webhooks.js';

/** Forwards the hints to the sales watch once the workspace exists (services are built first). */
export class SalesChangeRelay implements SalesChangePort {
  target?: SalesChangePort;
  changed(): void {
    this.target?.changed();
  }
  reservedRows(reservation: ReservationSnapshot): ReservationRows | undefined {
    return this.target?.reservedRows?.(reservation);
  }
}

/** What the workspace needs from the chat system, attached once it is built. */
export interface ChatLink {
  send(channel: Channel, chatId: string, messages: OutboundMessage[]): Promise<void>;
  release(channel: Channel, chatId: string): Promise<boolean>;
  telegram?: { send(chatId: string, messages: OutboundMessage[]): Promise<void> };
}

export interface SalesWorkspaceOptions {
  redis?: Redis;
  secrets: SecretSealer;
  lease: LeaseRunner;
  changes: SalesChangeRelay;
  webDist?: string;
}

// The watch's safety net for writers that do not hint (the API's updates and deletes, ERP syncs,
// SQL by hand); the service's own writers hint and are seen at once. A sweep costs a few hundred
// ms at 20 000 reservations (docs/benchmarks.md).
const SWEEP_MS = 30_000;
const DISPATCH_MS = 2_000;
// Under a burst of reservations the hinted sweeps (and outbox dispatches) follow each other this
// far apart, each taking every change made meanwhile (one sweep per reservation halved the HTTP
// reservation rate).
const SWEEP_GAP_MS = 100;

export interface SalesWorkspace {
  users: SalesUsers;
  sessions: SalesSessions;
  watch: SalesWatch;
  outbox: OutboxDispatcher;
  delivery: DeliveryWorker;
  handoffs: HandoffQueue;
  transcript: Transcript;
  reservations: SalesReservations;
  prospects: SalesProspects;
  webhooks: WebhookEndpoints;
  live: LiveBus;
  routers: Array<{ path: string; router: Router }>;
  /** The hand-off queue and the transcript, for createChatSystem. */
  chatHooks: ChatSystemOptions;
  attachChat(chat: ChatLink): void;
  /** The local loops (watch sweep, outbox); the webhook and escalation jobs go to the scheduler. */
  start(): void;
  /** Resolves when the watch, the outbox and kicked deliveries have nothing in progress. */
  settle(): Promise<void>;
  /** Ends the live streams (so the HTTP server can drain) and the loops. */
  stop(): Promise<void>;
}

/** Builds the sales workspace: users and sessions, the queue, events, webhooks and the pages. */
export async function createSalesWorkspace(
  ctx: AppContext,
  o: SalesWorkspaceOptions,
): Promise<SalesWorkspace> {
  const { db, logger, now, config } = ctx;
  const log = logger.child({ component: 'sales' });
  const s = config.sales;
  const namespace = redisNamespace(config.database.url);
  const live: LiveBus = o.redis
    ? await RedisLiveBus.start(o.redis, log, namespace)
    : new MemoryLiveBus();
  const hours = parseBusinessHours(s.businessHours, s.timeZone);
  const transcript = new Transcript(db, log);
  const link: { chat?: ChatLink } = {};
  const chatOut: ChatOut = {
    send: (channel, chatId, messages) => {
      if (!link.chat) throw new Error('chat system not attached');
      return link.chat.send(channel as Channel, chatId, messages);
    },
  };
  const chatRelease: ChatRelease = {
    release: (channel, chatId) => link.chat?.release(channel, chatId) ?? Promise.resolve(false),
  };
  const telegram: TelegramNotifier = {
    sendText: async (chatId, text) => {
      if (!link.chat?.telegram) throw new Error('Telegram is not configured (TELEGRAM_BOT_TOKEN)');
      await link.chat.telegram.send(chatId, [{ kind: 'text', text }]);
    },
  };

  const webhooks = new WebhookEndpoints(db, o.secrets, now);
  const delivery = new DeliveryWorker({
    db,
    endpoints: webhooks,
    lease: o.lease,
    now,
    logger: log,
    timeoutMs: s.webhookTimeoutMs,
    giveUpAfterMs: s.webhookGiveUpMs,
    telegram,
  });
  let stopped = false;
  const deliveryKick = {
    fn: () => {
      if (!stopped) void delivery.kick();
    },
  };
  // Events stay in the outbox when the workspace has stopped: whoever dispatches next sends them.
  const kickOutbox = () => {
    if (!stopped) outbox.kick();
  };
  const outbox = new OutboxDispatcher({
    db,
    live,
    now,
    logger: log,
    onDeliveries: () => deliveryKick.fn(),
    gapMs: SWEEP_GAP_MS,
  });
  const watch = new SalesWatch({
    db,
    now,
    logger: log,
    expiringWithinMs: s.expiringWithinMs,
    sweepGapMs: SWEEP_GAP_MS,
    onEvents: kickOutbox,
  });
  // Before anything can hint: what the database already holds is taken as known.
  await watch.baseline();
  o.changes.target = watch;
  const handoffs = new HandoffQueue({
    db,
    now,
    logger: log,
    live,
    hours,
    escalateAfterMs: s.handoffEscalateMs,
    transcript,
    out: chatOut,
    release: chatRelease,
    onEvents: kickOutbox,
  });
  const users = new SalesUsers(db, now, { log2N: s.passwordCost, r: 8, p: 3 });
  const sessions = new SalesSessions(db, s.sessionHours * 3_600_000, now);
  const throttle = new LoginThrottle(
    {
      maxPerUser: s.loginMaxAttempts,
      maxPerAddress: s.loginMaxAttempts * 10,
      windowSeconds: 15 * 60,
    },
    o.redis,
    namespace,
  );
  const reservations = new SalesReservations({
    db,
    now,
    logger: log,
    network: ctx.network,
    watch,
    live,
    transcript,
    expiringWithinMs: s.expiringWithinMs,
  });
  const prospects = new SalesProspects({ db, now, logger: log, live, transcript });
  const streams = new Set<Response>();
  const center = config.findme.mapCenter ?? { lat: -23.4253, lng: -51.9386 };

  const routers = [
    {
      path: `${SALES_PATH}/api`,
      router: salesApiRouter({
        db,
        now,
        logger: log,
        timeZone: s.timeZone,
        publicUrl: config.http.publicUrl,
        sessionHours: s.sessionHours,
        users,
        sessions,
        throttle,
        reservations,
        prospects,
        handoffs,
        webhooks,
        live,
        streams,
        viability: ctx.viability,
      }),
    },
    {
      path: SALES_PATH,
      router: salesPageRouter({
        config,
        logger: log,
        webDist: o.webDist,
        pageConfig: {
          timeZone: s.timeZone,
          businessHours: describeHours(hours),
          mapCenter: center,
          tiles: {
            street: { url: config.map.tileUrl, attribution: config.map.tileAttribution },
            satellite: {
              url: config.map.satelliteTileUrl,
              attribution: config.map.satelliteAttribution,
            },
          },
        },
      }),
    },
    { path: '/', router: salesAdminRouter({ db, auth: ctx, users, webhooks }) },
  ];

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      fn()
        .catch((err: unknown) => log.warn({ err, job: what }, 'sales job failed'))
        .finally(() => {
          busy = false;
        });
    }, ms);
    t.unref();
    timers.push(t);
  };

  return {
    users,
    sessions,
    watch,
    outbox,
    delivery,
    handoffs,
    transcript,
    reservations,
    prospects,
    webhooks,
    live,
    routers,
    chatHooks: {
      handoff: {
        handedOff: (request) => handoffs.requested({ ...request, answers: { ...request.answers } }),
        ended: (chat) => handoffs.customerLeft(chat.channel, chat.chatId),
      },
      wrapHandler: (handler) => {
        const recording = transcript.recordingHandler(handler, now);
        return {
          handle: async (message) => {
            const replies = await recording.handle(message);
            void handoffs
              .customerWrote(message.channel, message.chatId)
              .catch((err: unknown) => log.warn({ err }, 'hand-off live update failed'));
            return replies;
          },
        };
      },
      wrapSender: (sender) => transcript.recordingSender(sender, now),
      changed: () => watch.changed(),
    },
    attachChat(chat) {
      link.chat = chat;
    },
    start() {
      every(SWEEP_MS, () => watch.sweep(), 'sales-watch');
      every(DISPATCH_MS, () => outbox.dispatch(), 'sales-outbox');
      watch.changed();
    },
    async settle() {
      for (let i = 0; i < 3; i++) {
        await watch.settle();
        await outbox.settle();
        await delivery.settle();
      }
    },
    async stop() {
      stopped = true;
      watch.stop();
      for (const t of timers) clearInterval(t);
      for (const res of streams) res.end();
      streams.clear();
      await live.close();
    },
  };
}
