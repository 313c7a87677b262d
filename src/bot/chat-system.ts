import express, { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { adminAuth } from '../http/admin-auth.js';
import { parseBody, text } from '../integrations/ozmap-api/validation.js';
import { createFindMe, findMeHandBack, FINDME_PATH, type FindMe } from '../findme/index.js';
import { ConversationEngine } from './conversation/engine.js';
import { DatabaseConversationStore } from './conversation/db-store.js';
import { RedisConversationStore } from './conversation/redis-store.js';
import type {
  Channel,
  ChannelSender,
  ConversationHandler,
  OutboundMessage,
} from './conversation/messages.js';
import type { HandoffListener, SalesPort } from './conversation/ports.js';
import type { ViabilityOverrides } from '../services/viability-settings.js';
import type { Texts } from './conversation/texts.js';
import { loadTexts } from './texts-file.js';
import { WebChatOutbox, webChatRouter } from './local/web-chat.js';
import { createSalesPort } from './sales-port.js';
import { createTelegramChannel, type TelegramChannel } from './telegram/telegraf.js';
import { telegramWebhookRouter } from './telegram/webhook-router.js';
import { createWhatsAppChannel, type WhatsAppChannel } from './whatsapp/channel.js';
import { whatsappAdminRouter } from './whatsapp/admin-router.js';
import { qrTerminal } from './whatsapp/qr-render.js';
import type { ConnectSocket } from './whatsapp/baileys.js';
import { observeConversations } from '../services/observed.js';
import {
  createWhatsAppCloud,
  registerWhatsAppCloudJobs,
  whatsappCloudAdminRouter,
  whatsappCloudWebhookRouter,
  type WhatsAppCloudChannel,
} from './whatsapp-cloud/index.js';

export interface ChatSystem {
  engine: ConversationEngine;
  texts: Texts;
  /** Sends to a customer through their own channel (an agent's reply from the workspace). */
  send(channel: Channel, chatId: string, messages: OutboundMessage[]): Promise<void>;
  findme: FindMe;
  telegram?: TelegramChannel;
  whatsapp?: WhatsAppChannel;
  whatsappCloud?: WhatsAppCloudChannel;
  routers: Array<{ path: string; router: Router }>;
  /** Routers that must see the raw request body (signed webhooks), mounted before the parsers. */
  rawBodyRouters: Array<{ path: string; router: Router }>;
  /** Checks what must hold before taking traffic (the WhatsApp Cloud API templates). */
  prepare(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The bot's SalesPort with the configured expiry, prospect tags and radius. */
export function chatSalesPort(ctx: AppContext): SalesPort {
  return createSalesPort({
    db: ctx.db,
    viability: ctx.viability,
    reservations: ctx.reservations,
    settings: {
      reservationDays: ctx.config.reservations.chatbotDays,
      prospectTags: ctx.config.chatbot.prospectTags,
      radiusMeters: ctx.config.chatbot.radiusMeters,
      serviceAreaMeters: ctx.config.chatbot.serviceAreaMeters,
      outOfAreaProspects: ctx.config.chatbot.outOfAreaProspects,
      viability: () => chatViability(ctx),
    },
    now: ctx.now,
  });
}

/**
 * The chatbot's viability settings: those of the integration profile named CHATBOT_INTEGRATION
 * ("chatbot" by default), when it exists; else the system's.
 */
export async function chatViability(ctx: AppContext): Promise<ViabilityOverrides> {
  return (await ctx.integrations.profile(ctx.config.chatbot.integration)).viability;
}

export const Release = z.object({
  channel: z.enum(['telegram', 'whatsapp', 'whatsapp-cloud', 'web', 'terminal']),
  chatId: text.min(1),
});

export interface ChatSystemOptions {
  /** Channels the caller drives itself (the terminal chat), so FindME can hand back to them. */
  senders?: ChannelSender[];
  /** The hand-off port (the sales workspace's queue); default: log only, bot stays quiet. */
  handoff?: HandoffListener;
  /** Where the built FindME page is (default web/dist). */
  webDist?: string;
  /** Opens WhatsApp sockets (Baileys unless a test's simulated WhatsApp is given). */
  whatsappConnect?: ConnectSocket;
  /** Wraps the handler the channels call (the workspace records what comes in and goes out). */
  wrapHandler?: (handler: ConversationHandler) => ConversationHandler;
  /** Wraps the senders the system uses on its own (FindME hand-back). */
  wrapSender?: (sender: ChannelSender) => ChannelSender;
  /** Told after the bot recorded a reservation or prospect, so the sales side looks at once. */
  changed?: () => void;
}

/**
 * The sales chat: one conversation engine for every channel (state in Redis when configured,
 * else in the database, so a restart loses nothing), the FindME page handing locations back
 * into it, and the channels that are configured.
 */
export async function createChatSystem(
  ctx: AppContext,
  redis?: Redis,
  options: ChatSystemOptions = {},
): Promise<ChatSystem> {
  const { config, logger, db } = ctx;
  // Validated at start: a bad texts file stops the service with every problem listed.
  const texts = loadTexts({
    providerName: config.chatbot.providerName,
    file: config.chatbot.textsFile,
  });
  // Long enough for a returning customer to continue an unfinished reservation.
  const ttlSeconds = Math.ceil(
    Math.max(config.chatbot.idleTimeoutMs * 2, config.chatbot.resumeMs) / 1000,
  );
  const store = observeConversations(
    redis
      ? new RedisConversationStore(redis, ttlSeconds)
      : new DatabaseConversationStore(db, ttlSeconds, ctx.now),
    ctx.metrics,
  );
  const senders: ChannelSender[] = [...(options.senders ?? [])];
  // The FindME routes need the hand-back before the engine exists; it is set right after.
  const late: { handBack?: ReturnType<typeof findMeHandBack> } = {};
  const findme = await createFindMe({
    config,
    db,
    logger,
    redis,
    now: ctx.now,
    geocoder: ctx.geocoder,
    limits: ctx.rateLimits,
    secrets: ctx.secrets,
    onConfirmed: (confirmed) => {
      if (!late.handBack) throw new Error('chat system not ready');
      return late.handBack(confirmed);
    },
    ...(options.webDist ? { webDist: options.webDist } : {}),
    previewViability: async (point) => {
      const answer = ctx.viability.check({
        ...point,
        radius: config.chatbot.radiusMeters,
        settings: [await chatViability(ctx)],
        routes: true,
      });
      // Pole mode: the drop's way to the nearest box, for the page to draw (no names, no ids).
      const nearest = answer.boxes[0];
      const route = nearest?.route?.coordinates;
      return {
        viable: answer.viable,
        ...(route ? { route, routeLength: nearest.distance } : {}),
      };
    },
  });
  const sales = chatSalesPort(ctx);
  const engine = new ConversationEngine({
    store,
    sales: options.changed ? notifying(sales, options.changed) : sales,
    findme: findme.links,
    geocoder: findme.geocoder,
    handoff: options.handoff,
    texts,
    clock: ctx.now,
    idleTimeoutMs: config.chatbot.idleTimeoutMs,
    handoffTimeoutMs: config.chatbot.handoffTimeoutMs,
    logger: logger.child({ component: 'conversation' }),
  });
  const handler = options.wrapHandler ? options.wrapHandler(engine) : engine;
  const wrapSender = options.wrapSender ?? ((s: ChannelSender) => s);
  const recorded: ChannelSender[] = [];
  late.handBack = findMeHandBack({ conversation: handler, senders: recorded, now: ctx.now });

  const outbox = new WebChatOutbox();
  senders.push(outbox);
  const telegram = config.telegram && createTelegramChannel(config.telegram, handler, logger);
  if (telegram) senders.push(telegram);
  const whatsapp =
    config.whatsapp &&
    createWhatsAppChannel(config.whatsapp, {
      db,
      handler,
      logger,
      redis,
      connect: options.whatsappConnect,
      // The operator pairs by scanning this in the service's output (or GET /admin/whatsapp/qr.svg).
      onQr: (qr) => {
        void qrTerminal(qr).then((drawing) =>
          process.stderr.write(`\nWhatsApp: scan to pair\n${drawing}\n`),
        );
      },
    });
  if (whatsapp) senders.push(whatsapp);
  const cloud =
    config.whatsappCloud &&
    createWhatsAppCloud(config.whatsappCloud, { db, handler, logger, now: ctx.now });
  if (cloud) senders.push(cloud.channel);
  recorded.push(...senders.map(wrapSender));

  const admin = Router();
  admin.use('/admin', adminAuth(ctx));
  admin.post('/admin/chat/release', express.json(), async (req, res) => {
    const { channel, chatId } = parseBody(Release, req.body);
    const released = await engine.release(channel, chatId);
    res.json({ released });
  });
  if (whatsapp) admin.use(whatsappAdminRouter(whatsapp));
  if (cloud) admin.use(whatsappCloudAdminRouter(cloud.channel));

  const routers = [
    { path: FINDME_PATH, router: findme.router },
    ...(config.chatbot.webChat
      ? [{ path: '/', router: webChatRouter(handler, { outbox, texts }) }]
      : []),
    ...(telegram?.webhookPath ? [{ path: '/', router: telegramWebhookRouter(telegram) }] : []),
    { path: '/', router: admin },
  ];
  return {
    engine,
    async send(channel, chatId, messages) {
      const sender = senders.find((s) => s.channel === channel);
      if (!sender) throw new Error(`channel ${channel} is not configured`);
      await sender.send(chatId, messages);
    },
    texts,
    findme,
    telegram: telegram || undefined,
    whatsapp: whatsapp || undefined,
    whatsappCloud: cloud ? cloud.channel : undefined,
    routers,
    rawBodyRouters: cloud
      ? [
          {
            path: '/',
            router: whatsappCloudWebhookRouter(cloud.channel, {
              logger,
              bodyLimit: config.http.bodyLimit,
            }),
          },
        ]
      : [],
    async prepare() {
      if (cloud) await cloud.channel.prepare();
    },
    async start() {
      await telegram?.start();
      await whatsapp?.start();
      if (cloud && config.whatsappCloud) {
        registerWhatsAppCloudJobs(ctx.jobs, cloud, config.whatsappCloud, {
          db,
          logger,
          now: ctx.now,
          isViable: (point) =>
            ctx.viability.check({ ...point, radius: config.chatbot.radiusMeters }).viable,
        });
        await cloud.channel.start();
      }
    },
    async stop() {
      await telegram?.stop();
      await whatsapp?.stop();
      await cloud?.channel.stop();
    },
  };
}

/** The bot's SalesPort, telling `changed` after each reservation, move or prospect it records. */
function notifying(port: SalesPort, changed: () => void): SalesPort {
  const after =
    <A, R>(fn: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      const answer = await fn(arg);
      changed();
      return answer;
    };
  return {
    checkCoverage: (point) => port.checkCoverage(point),
    findReservation: (document) => port.findReservation(document),
    reserve: after((r) => port.reserve(r)),
    moveReservation: after((r) => port.moveReservation(r)),
    createProspect: after((r) => port.createProspect(r)),
  };
}
