import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { safeError, type SafeError } from '../../logger.js';
import { dbProvider, type Db } from '../../ozmap-model/db/client.js';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../conversation/messages.js';
import { ChatQueue, maskChatId, maskNumbers } from '../shared/chat-queue.js';
import { useDatabaseAuthState, type DatabaseAuthState } from './auth-state.js';
import {
  connectBaileys,
  type AnyMessageContent,
  type BaileysEventMap,
  type ConnectSocket,
  type proto,
  type WhatsAppSocket,
} from './baileys.js';
import { fromBaileysMessage } from './from-baileys-message.js';
import { decideReconnect } from './reconnect.js';
import {
  DatabaseSessionLock,
  InProcessSessionLock,
  RedisSessionLock,
  type SessionLock,
} from './session-lock.js';
import { toBaileysContent } from './to-baileys-content.js';
import { WhatsAppRelay } from './relay.js';

export type WhatsAppConfig = NonNullable<Config['whatsapp']>;

export type WhatsAppState =
  | 'stopped'
  /** Another instance holds this number's lock; this one retries now and then. */
  | 'standby'
  | 'connecting'
  /** A QR (or pairing code) is waiting to be used on the phone. */
  | 'waiting-for-pairing'
  | 'open'
  | 'reconnecting'
  /** Stopped by a disconnect that needs a person (connection replaced, banned, outdated). */
  | 'halted';

export interface WhatsAppStatus {
  session: string;
  state: WhatsAppState;
  qrAvailable: boolean;
  pairingCodeAvailable: boolean;
  /** The connected number, masked. */
  connectedAs?: string;
  lastDisconnect?: { code?: number; reason: string; at: string };
}

export interface WhatsAppChannelOptions {
  session: string;
  /** Log in with a pairing code for this number (digits with country code) instead of a QR. */
  pairingPhone?: string;
  handler: ConversationHandler;
  logger: Logger;
  loadAuthState: () => Promise<DatabaseAuthState>;
  /** Opens a socket; Baileys' makeWASocket unless a test supplies its own. */
  connect?: ConnectSocket;
  lock?: SessionLock;
  /** How often a standby instance tries to take the lock. */
  lockRetryMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  /** Outgoing pace: per chat (≥ 1 s plus jitter by default) and overall. */
  pacing?: { perChatGapMs?: number; jitterMs?: number; globalGapMs?: number };
  /** How long a send waits for the connection to (re)open before failing. */
  sendTimeoutMs?: number;
  random?: () => number;
  apologyText?: string;
  /** Called with each new pairing QR (the composition root prints it for the operator). */
  onQr?: (qr: string) => void;
  /** Hands messages from instances without the socket to the one that holds it. */
  relay?: WhatsAppRelay;
}

const DEFAULT_APOLOGY = 'Desculpe, tive um problema para responder agora. Pode tentar de novo?';
const RECENT_LIMIT = 2048;
const SENT_CACHE_LIMIT = 512;

/**
 * WhatsApp channel over Baileys: one socket per number (guarded by a lock), auth state in the
 * database, reconnects per DisconnectReason, inbound messages handled one at a time per chat,
 * outgoing messages paced per chat and overall. It is also the ChannelSender for asynchronous
 * messages (the FindME hand-back).
 */
export class WhatsAppChannel implements ChannelSender {
  readonly channel = 'whatsapp' as const;
  private readonly connect: ConnectSocket;
  private readonly lock: SessionLock;
  private readonly inbox = new ChatQueue();
  private readonly outbox: ChatQueue;
  private readonly random: () => number;
  private readonly recent = new Set<string>();
  private readonly sent = new Map<string, proto.IMessage>();
  private readonly inflight = new Set<Promise<void>>();
  private openWaiters: Array<() => void> = [];

  private started = false;
  private generation = 0;
  private socket?: WhatsAppSocket;
  private auth?: DatabaseAuthState;
  private timer?: NodeJS.Timeout;
  private attempts = 0;
  private previousCode?: number;
  private credsWrite: Promise<void> = Promise.resolve();

  private state: WhatsAppState = 'stopped';
  private qr?: string;
  private pairingCode?: string;
  private connectedAs?: string;
  private lastDisconnect?: WhatsAppStatus['lastDisconnect'];

  constructor(private readonly options: WhatsAppChannelOptions) {
    this.connect = options.connect ?? connectBaileys;
    this.lock = options.lock ?? new InProcessSessionLock(`whatsapp:${options.session}`);
    this.random = options.random ?? Math.random;
    this.outbox = new ChatQueue({
      perKeyGapMs: options.pacing?.perChatGapMs ?? 1000,
      jitterMs: options.pacing?.jitterMs ?? 400,
      globalGapMs: options.pacing?.globalGapMs ?? 350,
      random: this.random,
    });
    this.lock.onLost(() => {
      this.options.logger.error('lost the WhatsApp session lock: disconnecting this instance');
      this.closeSocket();
      this.setState('standby');
      this.schedule(() => this.acquireAndOpen(), this.lockRetryMs);
    });
  }

  private get lockRetryMs(): number {
    return this.options.lockRetryMs ?? 15_000;
  }

  /** Takes the number's lock and connects; without the lock, waits in standby and retries. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.acquireAndOpen();
  }

  /** Lets running conversations finish (up to `drainMs`), closes the socket, frees the lock. */
  async stop(drainMs = 5_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearTimeout(this.timer);
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise((resolve) => setTimeout(resolve, drainMs).unref()),
    ]);
    this.closeSocket();
    await this.credsWrite;
    await this.lock.release();
    this.setState('stopped');
  }

  status(): WhatsAppStatus {
    return {
      session: this.options.session,
      state: this.state,
      qrAvailable: this.qr !== undefined,
      pairingCodeAvailable: this.pairingCode !== undefined,
      connectedAs: this.connectedAs,
      lastDisconnect: this.lastDisconnect,
    };
  }

  /** What the phone needs to link this session, while it waits to be paired. */
  pairing(): { qr?: string; pairingCode?: string } {
    return { qr: this.qr, pairingCode: this.pairingCode };
  }

  /** Resolves when every message received so far has been handled and answered (for tests). */
  async whenIdle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async send(chatId: string, messages: OutboundMessage[]): Promise<void> {
    // Another instance holds this number's socket: it sends them.
    if (this.state === 'standby' && this.options.relay) {
      await this.options.relay.push(chatId, messages);
      return;
    }
    const contents = messages.flatMap(toBaileysContent);
    await Promise.all(
      contents.map((content) => this.outbox.run(chatId, () => this.deliver(chatId, content))),
    );
  }

  private async acquireAndOpen(): Promise<void> {
    if (!this.started) return;
    let acquired = false;
    try {
      acquired = await this.lock.acquire();
    } catch (error) {
      this.options.logger.warn(
        { error: describe(error) },
        'could not reach the WhatsApp session lock',
      );
    }
    if (!this.started) {
      if (acquired) await this.lock.release();
      return;
    }
    if (!acquired) {
      if (this.state !== 'standby') {
        this.options.logger.info(
          { session: this.options.session },
          'another instance runs this WhatsApp number; standing by',
        );
      }
      this.setState('standby');
      this.schedule(() => this.acquireAndOpen(), this.lockRetryMs);
      return;
    }
    await this.open();
  }

  private async open(): Promise<void> {
    if (!this.started) return;
    this.setState(this.attempts > 0 ? 'reconnecting' : 'connecting');
    await this.credsWrite;
    const auth = await this.options.loadAuthState();
    this.auth = auth;
    const generation = ++this.generation;
    const socket = this.connect(auth.state, {
      logger: this.options.logger,
      getMessage: (key) => Promise.resolve(key.id ? this.sent.get(key.id) : undefined),
    });
    this.socket = socket;
    let pairingRequested = false;
    const current = () => generation === this.generation && this.started;

    socket.ev.on('creds.update', (update) => {
      if (!current()) return;
      Object.assign(auth.state.creds, update);
      this.credsWrite = this.credsWrite
        .then(() => auth.saveCreds())
        .catch((error: unknown) => {
          this.options.logger.error(
            { error: describe(error) },
            'could not save WhatsApp credentials',
          );
        });
    });
    socket.ev.on('connection.update', (update) => {
      if (!current()) return;
      if (update.qr) {
        this.qr = update.qr;
        this.setState('waiting-for-pairing');
        this.options.onQr?.(update.qr);
        this.options.logger.info(
          { session: this.options.session },
          'WhatsApp is waiting to be paired: open GET /admin/whatsapp/qr and scan it in WhatsApp > Linked devices',
        );
        const phone = this.options.pairingPhone;
        if (phone && !pairingRequested && !auth.state.creds.registered) {
          pairingRequested = true;
          socket.requestPairingCode(phone).then(
            (code) => {
              this.pairingCode = code;
              this.options.logger.info(
                'WhatsApp pairing code ready at GET /admin/whatsapp/qr: enter it in WhatsApp > Linked devices > Link with phone number',
              );
            },
            (error: unknown) => {
              this.options.logger.warn({ error: describe(error) }, 'could not get a pairing code');
            },
          );
        }
      }
      if (update.connection === 'open') this.onOpen();
      if (update.connection === 'close') this.onClose(update);
    });
    socket.ev.on('messages.upsert', (upsert) => {
      if (!current()) return;
      this.onUpsert(upsert);
    });
  }

  private onOpen(): void {
    this.attempts = 0;
    this.previousCode = undefined;
    this.qr = undefined;
    this.pairingCode = undefined;
    const me = this.auth?.state.creds.me?.id;
    this.connectedAs = me ? maskChatId(me.replace(/:\d+@/, '@')) : undefined;
    this.setState('open');
    this.options.logger.info({ connectedAs: this.connectedAs }, 'WhatsApp connected');
    this.options.relay?.startDraining((chatId, messages) => this.send(chatId, messages));
    const waiters = this.openWaiters;
    this.openWaiters = [];
    for (const wake of waiters) wake();
  }

  private onClose(update: BaileysEventMap['connection.update']): void {
    const code = statusCodeOf(update.lastDisconnect?.error);
    const decision = decideReconnect(
      code,
      this.attempts,
      {
        baseMs: this.options.backoff?.baseMs ?? 1_000,
        maxMs: this.options.backoff?.maxMs ?? 60_000,
        random: this.random,
      },
      this.previousCode,
    );
    this.previousCode = code;
    this.lastDisconnect = { code, reason: decision.reason, at: new Date().toISOString() };
    this.closeSocket();
    this.qr = undefined;
    this.pairingCode = undefined;
    switch (decision.action) {
      case 'reconnect':
        this.attempts++;
        this.setState('reconnecting');
        this.options.logger.warn(
          { code, reason: decision.reason, attempt: this.attempts, delayMs: decision.delayMs },
          'WhatsApp connection closed; reconnecting',
        );
        this.schedule(() => this.open(), decision.delayMs);
        return;
      case 're-pair': {
        this.attempts = 0;
        this.previousCode = undefined;
        this.options.logger.warn(
          { code, reason: decision.reason },
          'WhatsApp session ended; clearing it to pair again',
        );
        const auth = this.auth;
        this.schedule(async () => {
          await this.credsWrite;
          await auth?.clear();
          await this.open();
        }, 0);
        return;
      }
      case 'stop':
        this.setState('halted');
        this.options.logger.error(
          { code, reason: decision.reason },
          `WhatsApp stopped: ${decision.hint}`,
        );
        void this.lock.release().catch(() => undefined);
        return;
    }
  }

  private onUpsert({ messages, type }: BaileysEventMap['messages.upsert']): void {
    // 'append' carries history and our own echoes; only 'notify' is a new message to answer.
    if (type !== 'notify') return;
    for (const message of messages) {
      const inbound = fromBaileysMessage(message);
      if (!inbound) continue;
      const id = `${inbound.chatId}/${inbound.messageId}`;
      if (this.recent.has(id)) continue;
      this.recent.add(id);
      if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.values().next().value!);
      const task = this.inbox.run(inbound.chatId, () => this.converse(inbound));
      this.inflight.add(task);
      void task.finally(() => this.inflight.delete(task));
    }
  }

  /** The error boundary of one inbound message: nothing escapes to the event emitter. */
  private async converse(inbound: InboundMessage): Promise<void> {
    const chat = maskChatId(inbound.chatId);
    this.options.logger.debug({ chat, kind: inbound.kind }, 'WhatsApp message received');
    let replies: OutboundMessage[];
    try {
      replies = await this.options.handler.handle(inbound);
    } catch (error) {
      this.options.logger.error({ chat, error: describe(error) }, 'conversation handler failed');
      replies = [{ kind: 'text', text: this.options.apologyText ?? DEFAULT_APOLOGY }];
    }
    try {
      await this.send(inbound.chatId, replies);
    } catch (error) {
      this.options.logger.error({ chat, error: describe(error) }, 'could not send WhatsApp reply');
    }
  }

  private async deliver(jid: string, content: AnyMessageContent): Promise<void> {
    const socket = await this.openSocket();
    await socket.sendPresenceUpdate('composing', jid).catch(() => undefined);
    const sent = await socket.sendMessage(jid, content);
    const id = sent?.key?.id;
    if (id && sent.message) {
      this.sent.set(id, sent.message);
      if (this.sent.size > SENT_CACHE_LIMIT) this.sent.delete(this.sent.keys().next().value!);
    }
  }

  /** The socket once the connection is open; waits for a reconnect up to sendTimeoutMs. */
  private async openSocket(): Promise<WhatsAppSocket> {
    if (this.state !== 'open') {
      const timeoutMs = this.options.sendTimeoutMs ?? 30_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.openWaiters = this.openWaiters.filter((w) => w !== wake);
          reject(new Error(`WhatsApp is not connected (state: ${this.state})`));
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.openWaiters.push(wake);
      });
    }
    if (!this.socket) throw new Error('WhatsApp is not connected');
    return this.socket;
  }

  private closeSocket(): void {
    this.options.relay?.stopDraining();
    const socket = this.socket;
    this.socket = undefined;
    this.generation++;
    if (!socket) return;
    socket.ev.removeAllListeners('connection.update');
    socket.ev.removeAllListeners('creds.update');
    socket.ev.removeAllListeners('messages.upsert');
    try {
      const ended = socket.end(undefined);
      if (ended instanceof Promise) ended.catch(() => undefined);
    } catch {
      // Already closed.
    }
  }

  private schedule(task: () => Promise<void>, delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.started) return;
      task().catch((error: unknown) => {
        this.options.logger.error({ error: describe(error) }, 'WhatsApp reconnect failed');
        this.attempts++;
        this.schedule(() => this.open(), Math.min(60_000, 1_000 * 2 ** Math.min(this.attempts, 6)));
      });
    }, delayMs);
  }

  private setState(state: WhatsAppState): void {
    this.state = state;
  }
}

export interface WhatsAppChannelDeps {
  db: Db;
  handler: ConversationHandler;
  logger: Logger;
  /** With Redis, the one-socket-per-number lock holds across instances; else in-process only. */
  redis?: Redis;
  connect?: ConnectSocket;
  onQr?: (qr: string) => void;
}

/** Builds the channel from its config slice; call `start()` to connect. */
export function createWhatsAppChannel(
  config: WhatsAppConfig,
  deps: WhatsAppChannelDeps,
): WhatsAppChannel {
  const lockKey = `alcance:whatsapp:lock:${config.session}`;
  return new WhatsAppChannel({
    session: config.session,
    pairingPhone: config.pairingPhone,
    handler: deps.handler,
    logger: deps.logger.child({ channel: 'whatsapp' }),
    loadAuthState: () => useDatabaseAuthState(deps.db, config.session),
    connect: deps.connect,
    onQr: deps.onQr,
    lock: sessionLock(config, deps, lockKey),
    lockRetryMs: config.standbyRetryMs,
    relay: deps.redis
      ? new WhatsAppRelay(deps.redis, config.session, deps.logger.child({ channel: 'whatsapp' }))
      : undefined,
  });
}

/**
 * One socket per number across instances: on Redis when configured, else on the database's lease
 * table when that is PostgreSQL (instances may share it), else within this process.
 */
function sessionLock(config: WhatsAppConfig, deps: WhatsAppChannelDeps, key: string): SessionLock {
  const ttlMs = config.lockTtlMs ?? 30_000;
  if (deps.redis) return new RedisSessionLock(deps.redis, key, ttlMs);
  if (dbProvider(deps.db) === 'postgresql') return new DatabaseSessionLock(deps.db, key, { ttlMs });
  return new InProcessSessionLock(key);
}

/** Baileys closes with a Boom error: its HTTP-like status code is the DisconnectReason. */
function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function describe(error: unknown): SafeError {
  const safe = safeError(error);
  return safe.message ? { ...safe, message: maskNumbers(safe.message) } : safe;
}
