import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ChannelSender,
  ConversationHandler,
  GeoPoint,
  InboundMessage,
  OutboundMessage,
} from '../../src/bot/conversation/messages.js';
import type { Config } from '../../src/config.js';
import { NominatimGeocoder, type Geocoder } from '../../src/findme/geocoder.js';
import { findMeHandBack, type ConfirmedLocation } from '../../src/findme/handback.js';
import { FindMeLinks, MemoryLinkStore, type LinkStore } from '../../src/findme/links.js';
import { FINDME_PATH, findmeRouter } from '../../src/findme/routes.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { startFakeGeocoder, type FakeGeocoder } from './fake-geocoder.js';

export const MARINGA: GeoPoint = { lat: -23.4253, lng: -51.9386 };
export const TEST_SECRET = 'test-secret-for-findme-links-0123456789';

export interface HarnessOptions {
  webDist?: string;
  map?: Partial<Config['map']>;
  /** false: run without a geocoder (GEOCODER_URL unset). */
  geocoder?: boolean;
  minIntervalMs?: number;
  timeoutMs?: number;
  store?: LinkStore;
  networkArea?: (p: GeoPoint) => boolean | Promise<boolean>;
  previewViability?: (p: GeoPoint) => Promise<{ viable: boolean }>;
  /** Replaces the recording hand-back (to simulate a failing channel, say). */
  onConfirmed?: (c: ConfirmedLocation) => Promise<void>;
}

/** A chat as the test sees it: what reached the conversation and what went out to the customer. */
export interface RecordedChat {
  confirmed: ConfirmedLocation[];
  inbound: InboundMessage[];
  sent: Array<{ channel: string; chatId: string; messages: OutboundMessage[] }>;
}

export interface FindMeHarness extends RecordedChat {
  url: string;
  links: FindMeLinks;
  fake: FakeGeocoder;
  clock: { now: Date };
  close(): Promise<void>;
}

/**
 * The FindME routes in the real app shell (createApp: request log, JSON parser, error handler),
 * a link factory on a controllable clock, the production Nominatim client against the local
 * simulated geocoder, and a recording conversation behind the production hand-back.
 */
export async function startFindMeHarness(options: HarnessOptions = {}): Promise<FindMeHarness> {
  const fake = await startFakeGeocoder();
  const clock = { now: new Date() };
  const now = () => clock.now;
  const logger = createLogger('silent');
  const chat: RecordedChat = { confirmed: [], inbound: [], sent: [] };

  const conversation: ConversationHandler = {
    handle: (message) => {
      chat.inbound.push(message);
      if (message.kind !== 'findme-location' && message.kind !== 'location') {
        return Promise.resolve([]);
      }
      const { lat, lng } = message.point;
      return Promise.resolve([{ kind: 'text', text: `Recebi sua localização: ${lat}, ${lng}` }]);
    },
  };
  const sender = (channel: 'telegram' | 'whatsapp'): ChannelSender => ({
    channel,
    send: (chatId, messages) => {
      chat.sent.push({ channel, chatId, messages });
      return Promise.resolve();
    },
  });
  const handBack = findMeHandBack({
    conversation,
    senders: [sender('telegram'), sender('whatsapp')],
    now,
  });

  // Listen first, so links can point at this server.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const links = new FindMeLinks({
    secret: TEST_SECRET,
    publicUrl: url,
    ttlMinutes: 30,
    store: options.store ?? new MemoryLinkStore(now),
    now,
  });
  const geocoder: Geocoder | undefined =
    options.geocoder === false
      ? undefined
      : new NominatimGeocoder({
          url: fake.url,
          userAgent: 'Alcance-FindME-test/1.0 (tests@alcance.invalid)',
          minIntervalMs: options.minIntervalMs ?? 1000,
          timeoutMs: options.timeoutMs ?? 4000,
        });
  const router = findmeRouter({
    links,
    geocoder,
    onConfirmed: async (c) => {
      chat.confirmed.push(c);
      await (options.onConfirmed ?? handBack)(c);
    },
    networkArea: options.networkArea,
    previewViability: options.previewViability,
    map: {
      tileUrl: 'http://127.0.0.1:9/street/{z}/{x}/{y}.png',
      tileAttribution: '© colaboradores do OpenStreetMap',
      satelliteTileUrl: 'http://127.0.0.1:9/satellite/{z}/{x}/{y}.png',
      satelliteAttribution: 'Imagens de teste',
      ...options.map,
    },
    mapCenter: MARINGA,
    webDist: options.webDist,
    logger,
  });
  const app = createApp({
    logger,
    bodyLimit: '1mb',
    trustProxy: false,
    isReady: () => Promise.resolve(true),
    routers: [{ path: FINDME_PATH, router }],
  });
  server.on('request', app);

  return {
    ...chat,
    url,
    links,
    fake,
    clock,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}
