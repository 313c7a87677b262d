import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../../src/bot/conversation/messages.js';
import { whatsappAdminRouter } from '../../src/bot/whatsapp/admin-router.js';
import { authNamespace, useDatabaseAuthState } from '../../src/bot/whatsapp/auth-state.js';
import {
  DisconnectReason,
  proto,
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  type ConnectSocket,
  type WAMessage,
  type WhatsAppSocket,
} from '../../src/bot/whatsapp/baileys.js';
import {
  createWhatsAppChannel,
  WhatsAppChannel,
  type WhatsAppChannelOptions,
} from '../../src/bot/whatsapp/channel.js';
import { RedisSessionLock } from '../../src/bot/whatsapp/session-lock.js';
import { SHARE_LOCATION_HELP } from '../../src/bot/whatsapp/to-baileys-content.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { captureLogger } from './capture-logger.js';

const CHAT = '5511987654321@s.whatsapp.net';

/** Stands in for a Baileys socket: same event names and payloads, records what is sent. */
class FakeSocket implements WhatsAppSocket {
  private readonly emitter = new EventEmitter();
  readonly sent: Array<{ jid: string; content: AnyMessageContent; at: number }> = [];
  readonly presence: string[] = [];
  readonly pairingRequests: string[] = [];
  ended = false;
  private counter = 0;

  constructor(readonly auth: AuthenticationState) {}

  ev = {
    on: <E extends keyof BaileysEventMap>(
      event: E,
      listener: (arg: BaileysEventMap[E]) => void,
    ) => {
      this.emitter.on(event, listener);
    },
    removeAllListeners: <E extends keyof BaileysEventMap>(event: E) => {
      this.emitter.removeAllListeners(event);
    },
  };

  emit<E extends keyof BaileysEventMap>(event: E, arg: BaileysEventMap[E]): void {
    this.emitter.emit(event, arg);
  }

  sendMessage(jid: string, content: AnyMessageContent) {
    this.sent.push({ jid, content, at: performance.now() });
    const text = 'text' in content ? content.text : undefined;
    return Promise.resolve(
      proto.WebMessageInfo.fromObject({
        key: { remoteJid: jid, fromMe: true, id: `OUT${++this.counter}` },
        message: text ? { conversation: text } : {},
      }),
    );
  }

  sendPresenceUpdate(type: 'composing' | 'paused' | 'available', jid?: string) {
    this.presence.push(`${type}:${jid}`);
    return Promise.resolve();
  }

  requestPairingCode(phone: string) {
    this.pairingRequests.push(phone);
    return Promise.resolve('ABCD1234');
  }

  end(): void {
    this.ended = true;
  }
}

/** A Baileys disconnect error: a Boom whose output carries the DisconnectReason. */
function closed(statusCode: number): BaileysEventMap['connection.update'] {
  const error = Object.assign(new Error('Connection Closed'), { output: { statusCode } });
  return { connection: 'close', lastDisconnect: { error, date: new Date() } };
}

function upsert(message: object, key: object = {}, type: 'notify' | 'append' = 'notify') {
  const built = proto.WebMessageInfo.fromObject({
    key: { remoteJid: CHAT, fromMe: false, id: `IN${Math.random().toString(36).slice(2)}`, ...key },
    messageTimestamp: 1_760_000_000,
    pushName: 'Maria',
    message,
  }) as WAMessage;
  return { messages: [built], type };
}

class RecordingHandler implements ConversationHandler {
  readonly received: InboundMessage[] = [];
  replies: (m: InboundMessage) => OutboundMessage[] = (m) => [
    { kind: 'text', text: `Recebi: ${m.kind}` },
  ];
  handle(message: InboundMessage): Promise<OutboundMessage[]> {
    this.received.push(message);
    return Promise.resolve(this.replies(message));
  }
}

let database: TestDatabase;
let channels: WhatsAppChannel[] = [];
let sessionCounter = 0;

beforeAll(async () => {
  database = await freshDatabase('sqlite');
});
afterAll(async () => {
  await database?.drop();
});
afterEach(async () => {
  await Promise.all(channels.map((c) => c.stop(100)));
  channels = [];
});

function setup(overrides: Partial<WhatsAppChannelOptions> = {}) {
  const session = `s${++sessionCounter}`;
  const sockets: FakeSocket[] = [];
  const handler = new RecordingHandler();
  const logs = captureLogger();
  const connect: ConnectSocket = (auth) => {
    const socket = new FakeSocket(auth);
    sockets.push(socket);
    return socket;
  };
  const channel = new WhatsAppChannel({
    session,
    handler,
    logger: logs.logger,
    loadAuthState: () => useDatabaseAuthState(database.db, session),
    connect,
    backoff: { baseMs: 20, maxMs: 100 },
    pacing: { perChatGapMs: 0, jitterMs: 0, globalGapMs: 0 },
    ...overrides,
  });
  channels.push(channel);
  const socket = (i = sockets.length - 1) => sockets[i]!;
  return { session, sockets, socket, handler, logs, channel };
}

async function openChannel(overrides: Partial<WhatsAppChannelOptions> = {}) {
  const ctx = setup(overrides);
  await ctx.channel.start();
  ctx.socket().emit('connection.update', { connection: 'open' });
  return ctx;
}

describe('WhatsAppChannel messages', () => {
  it('hands a text to the handler and the reply to sendMessage with the chat JID', async () => {
    const { channel, socket, handler } = await openChannel();
    handler.replies = () => [
      { kind: 'text', text: 'Escolha:', options: [{ key: '1', label: 'Planos' }] },
    ];
    socket().emit('messages.upsert', upsert({ conversation: 'oi' }, { id: 'ABC1' }));
    await channel.whenIdle();
    expect(handler.received).toEqual([
      {
        channel: 'whatsapp',
        chatId: CHAT,
        messageId: 'ABC1',
        sentAt: new Date(1_760_000_000_000),
        senderName: 'Maria',
        senderPhone: '5511987654321',
        kind: 'text',
        text: 'oi',
      },
    ]);
    expect(socket().sent.map(({ jid, content }) => ({ jid, content }))).toEqual([
      { jid: CHAT, content: { text: 'Escolha:\n\n1. Planos' } },
    ]);
    expect(socket().presence).toEqual([`composing:${CHAT}`]);
  });

  it('reads a location inside a disappearing-message wrapper and answers with a location', async () => {
    const { channel, socket, handler } = await openChannel();
    handler.replies = (m) =>
      m.kind === 'location'
        ? [
            { kind: 'location', point: m.point, title: 'Caixa mais próxima' },
            {
              kind: 'request-location',
              text: 'Outro endereço?',
              findmeUrl: 'https://a.example/f/1',
            },
          ]
        : [];
    socket().emit(
      'messages.upsert',
      upsert({
        ephemeralMessage: {
          message: {
            locationMessage: { degreesLatitude: -23.56, degreesLongitude: -46.65, name: 'Casa' },
          },
        },
      }),
    );
    await channel.whenIdle();
    expect(handler.received[0]).toMatchObject({
      kind: 'location',
      point: { lat: -23.56, lng: -46.65 },
      name: 'Casa',
    });
    expect(socket().sent.map((s) => s.content)).toEqual([
      {
        location: { degreesLatitude: -23.56, degreesLongitude: -46.65, name: 'Caixa mais próxima' },
      },
      {
        text: `Outro endereço?\n\n${SHARE_LOCATION_HELP}\n\nSe preferir, marque o local no mapa: https://a.example/f/1`,
      },
    ]);
  });

  it('passes a sticker on as unsupported', async () => {
    const { channel, socket, handler } = await openChannel();
    socket().emit('messages.upsert', upsert({ stickerMessage: { mimetype: 'image/webp' } }));
    await channel.whenIdle();
    expect(handler.received[0]).toMatchObject({ kind: 'unsupported', what: 'sticker' });
    expect(socket().sent[0]?.content).toEqual({ text: 'Recebi: unsupported' });
  });

  it('ignores own messages, groups, non-notify upserts and duplicate deliveries', async () => {
    const { channel, socket, handler } = await openChannel();
    socket().emit('messages.upsert', upsert({ conversation: 'eco' }, { fromMe: true }));
    socket().emit(
      'messages.upsert',
      upsert(
        { conversation: 'oi grupo' },
        { remoteJid: '120363025246125486@g.us', participant: CHAT },
      ),
    );
    socket().emit('messages.upsert', upsert({ conversation: 'histórico' }, {}, 'append'));
    const twice = upsert({ conversation: 'uma vez' }, { id: 'DUP' });
    socket().emit('messages.upsert', twice);
    socket().emit('messages.upsert', twice);
    await channel.whenIdle();
    expect(handler.received.map((m) => m.kind === 'text' && m.text)).toEqual(['uma vez']);
    expect(socket().sent).toHaveLength(1);
  });

  it('spaces two replies to the same chat by the per-chat gap', async () => {
    const { channel, socket, handler } = await openChannel({
      pacing: { perChatGapMs: 150, jitterMs: 50, globalGapMs: 0 },
    });
    handler.replies = () => [
      { kind: 'text', text: 'primeira' },
      { kind: 'text', text: 'segunda' },
    ];
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    try {
      socket().emit('messages.upsert', upsert({ conversation: 'oi' }));
      await vi.advanceTimersByTimeAsync(1000);
      await channel.whenIdle();
      const [first, second] = socket().sent;
      expect([first?.content, second?.content]).toEqual([
        { text: 'primeira' },
        { text: 'segunda' },
      ]);
      // On the fake clock the gap is exact: the per-chat gap plus at most the jitter.
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(150);
      expect(second!.at - first!.at).toBeLessThanOrEqual(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers with an apology when the handler throws, and logs no phone numbers', async () => {
    const { channel, socket, handler, logs } = await openChannel();
    handler.replies = () => {
      throw new Error('engine broke for 5511987654321');
    };
    socket().emit('messages.upsert', upsert({ conversation: 'oi' }));
    await channel.whenIdle();
    expect(socket().sent[0]?.content).toEqual({
      text: 'Desculpe, tive um problema para responder agora. Pode tentar de novo?',
    });
    expect(logs.text()).toContain('conversation handler failed');
    expect(logs.text()).not.toContain('5511987654321');
  });

  it('sends asynchronous messages once the connection is open', async () => {
    const { channel, socket } = setup();
    await channel.start();
    const sending = channel.send(CHAT, [{ kind: 'text', text: 'Local confirmado no mapa.' }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(socket().sent).toHaveLength(0);
    socket().emit('connection.update', { connection: 'open' });
    await sending;
    expect(socket().sent[0]?.content).toEqual({ text: 'Local confirmado no mapa.' });
  });
});

describe('WhatsAppChannel connection', () => {
  it('persists credentials on creds.update', async () => {
    const { channel, socket, session } = await openChannel();
    socket().emit('creds.update', {
      me: { id: '5511900001111:2@s.whatsapp.net' },
      registered: true,
    });
    await channel.stop();
    const stored = await useDatabaseAuthState(database.db, session);
    expect(stored.state.creds.registered).toBe(true);
    expect(stored.state.creds.me?.id).toBe('5511900001111:2@s.whatsapp.net');
  });

  it('shows a waiting QR and the pairing code on the admin routes, without logging them', async () => {
    const { channel, socket, logs } = setup({ pairingPhone: '5511900002222' });
    await channel.start();
    const app = express().use(whatsappAdminRouter(channel));
    const server: Server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/admin/whatsapp/qr`)).status).toBe(404);
      socket().emit('connection.update', { qr: '2@QRref123,noiseKeyB64,identityB64,advB64' });
      await expect.poll(() => channel.status().pairingCodeAvailable).toBe(true);
      expect(socket().pairingRequests).toEqual(['5511900002222']);
      const qr = await fetch(`${base}/admin/whatsapp/qr`);
      expect(qr.headers.get('cache-control')).toBe('no-store');
      expect(await qr.json()).toMatchObject({
        qr: '2@QRref123,noiseKeyB64,identityB64,advB64',
        pairingCode: 'ABCD1234',
      });
      const svg = await fetch(`${base}/admin/whatsapp/qr.svg`);
      expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
      const image = await svg.text();
      expect(image).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>\s*$/);
      const status = (await (await fetch(`${base}/admin/whatsapp/status`)).json()) as object;
      expect(status).toMatchObject({ state: 'waiting-for-pairing', qrAvailable: true });
      expect(logs.text()).toContain('waiting to be paired');
      expect(logs.text()).not.toContain('QRref123');
      expect(logs.text()).not.toContain('ABCD1234');

      socket().emit('connection.update', { connection: 'open' });
      expect(channel.status()).toMatchObject({ state: 'open', qrAvailable: false });
    } finally {
      server.close();
    }
  });

  it('reconnects with backoff after connectionClosed, connectionLost and timedOut', async () => {
    const { socket, sockets, channel } = await openChannel();
    socket().emit('connection.update', closed(DisconnectReason.connectionClosed));
    expect(sockets[0]?.ended).toBe(true);
    expect(channel.status().state).toBe('reconnecting');
    await expect.poll(() => sockets.length).toBe(2);
    socket().emit('connection.update', closed(DisconnectReason.connectionLost));
    await expect.poll(() => sockets.length).toBe(3);
    socket().emit('connection.update', closed(DisconnectReason.unavailableService));
    await expect.poll(() => sockets.length).toBe(4);
    socket().emit('connection.update', { connection: 'open' });
    expect(channel.status()).toMatchObject({
      state: 'open',
      lastDisconnect: { code: 503, reason: 'unavailableService' },
    });
    // Events from a replaced socket are ignored.
    sockets[0]!.emit('messages.upsert', upsert({ conversation: 'fantasma' }));
    await channel.whenIdle();
    expect(sockets.flatMap((s) => s.sent)).toHaveLength(0);
  });

  it('reconnects at once after restartRequired (right after pairing)', async () => {
    const { socket, sockets } = await openChannel({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    socket().emit('connection.update', closed(DisconnectReason.restartRequired));
    await expect.poll(() => sockets.length, { timeout: 1000 }).toBe(2);
  });

  it('clears the auth state and pairs again after loggedOut', async () => {
    const { socket, sockets, session } = await openChannel();
    socket().emit('creds.update', { registered: true });
    await sockets[0]!.auth.keys.set({ session: { x: new Uint8Array([1]) } });
    const oldNoiseKey = Buffer.from(sockets[0]!.auth.creds.noiseKey.private);
    socket().emit('connection.update', closed(DisconnectReason.loggedOut));
    await expect.poll(() => sockets.length).toBe(2);
    expect(Buffer.from(sockets[1]!.auth.creds.noiseKey.private)).not.toEqual(oldNoiseKey);
    expect(sockets[1]!.auth.creds.registered).toBe(false);
    const rows = await database.db.keyValue.findMany({
      where: { namespace: authNamespace(session) },
    });
    expect(rows.map((r) => r.key)).not.toContain('session:x');
  });

  it('re-pairs when badSession repeats', async () => {
    const { socket, sockets, channel } = await openChannel();
    const firstKey = Buffer.from(sockets[0]!.auth.creds.noiseKey.private);
    socket().emit('creds.update', { registered: true });
    await channel.whenIdle();
    socket().emit('connection.update', closed(DisconnectReason.badSession));
    await expect.poll(() => sockets.length).toBe(2);
    expect(Buffer.from(sockets[1]!.auth.creds.noiseKey.private)).toEqual(firstKey);
    socket().emit('connection.update', closed(DisconnectReason.badSession));
    await expect.poll(() => sockets.length).toBe(3);
    expect(Buffer.from(sockets[2]!.auth.creds.noiseKey.private)).not.toEqual(firstKey);
  });

  it('stops and alerts on connectionReplaced, without reconnecting', async () => {
    const { socket, sockets, channel, logs } = await openChannel();
    socket().emit('connection.update', closed(DisconnectReason.connectionReplaced));
    await new Promise((r) => setTimeout(r, 150));
    expect(sockets).toHaveLength(1);
    expect(channel.status().state).toBe('halted');
    const line = logs.lines.find((l) => l.includes('one instance per number'));
    expect(line && (JSON.parse(line) as { level: number }).level).toBe(50);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)(
  'one socket per number across instances (Redis)',
  () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(process.env.TEST_REDIS_URL!);
    });
    afterAll(async () => {
      await redis.quit();
    });

    it('connects only the instance holding the lock; the other takes over when it stops', async () => {
      const key = `test:whatsapp:lock:${Date.now()}:${Math.random()}`;
      const a = setup({ lock: new RedisSessionLock(redis, key, 1_000), lockRetryMs: 50 });
      const b = setup({ lock: new RedisSessionLock(redis, key, 1_000), lockRetryMs: 50 });
      await a.channel.start();
      await b.channel.start();
      expect(a.sockets).toHaveLength(1);
      expect(b.sockets).toHaveLength(0);
      expect(b.channel.status().state).toBe('standby');
      // Renewal keeps it held past its TTL.
      await new Promise((r) => setTimeout(r, 1_300));
      expect(b.sockets).toHaveLength(0);

      await a.channel.stop();
      await expect.poll(() => b.sockets.length, { timeout: 3_000 }).toBe(1);
    });

    it('reports a lost lock and disconnects', async () => {
      const key = `test:whatsapp:lock:${Date.now()}:${Math.random()}`;
      const lock = new RedisSessionLock(redis, key, 90);
      const { channel, sockets } = setup({ lock, lockRetryMs: 10_000 });
      await channel.start();
      expect(sockets).toHaveLength(1);
      await redis.set(key, 'someone-else');
      await expect.poll(() => channel.status().state, { timeout: 2_000 }).toBe('standby');
      expect(sockets[0]?.ended).toBe(true);
      expect(await redis.get(key)).toBe('someone-else');
      await redis.del(key);
    });

    it('builds the Redis-locked channel from its config slice', async () => {
      const session = `cfg${Date.now()}`;
      const sockets: FakeSocket[] = [];
      const connect: ConnectSocket = (auth) => {
        const s = new FakeSocket(auth);
        sockets.push(s);
        return s;
      };
      const deps = {
        db: database.db,
        handler: new RecordingHandler(),
        logger: captureLogger().logger,
        redis,
        connect,
      };
      const first = createWhatsAppChannel({ session }, deps);
      const second = createWhatsAppChannel({ session }, deps);
      channels.push(first, second);
      await first.start();
      await second.start();
      expect(sockets).toHaveLength(1);
      expect(await redis.get(`alcance:whatsapp:lock:${session}`)).toBeTruthy();
    });
  },
);
