// The only file that imports @whiskeysockets/baileys. The rest of src/bot/whatsapp uses what is
// re-exported here, so a Baileys upgrade (a moving target: v7 is a release candidate) touches
// this file alone, and tests can replace the socket at one seam (`WhatsAppSocket`).
import {
  Browsers,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  type WAMessageKey,
  type proto,
} from '@whiskeysockets/baileys';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import { maskNumbers } from '../shared/chat-queue.js';

type ILogger = NonNullable<Parameters<typeof makeWASocket>[0]['logger']>;

export {
  BufferJSON,
  DisconnectReason,
  getContentType,
  initAuthCreds,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
} from '@whiskeysockets/baileys';
export type {
  AnyMessageContent,
  AuthenticationCreds,
  AuthenticationState,
  BaileysEventMap,
  ConnectionState,
  SignalDataSet,
  SignalDataTypeMap,
  WAMessage,
  WAMessageKey,
} from '@whiskeysockets/baileys';

/** The part of a Baileys socket the channel uses; tests provide an EventEmitter-based one. */
export interface WhatsAppSocket {
  ev: {
    on<E extends keyof BaileysEventMap>(
      event: E,
      listener: (arg: BaileysEventMap[E]) => void,
    ): void;
    removeAllListeners<E extends keyof BaileysEventMap>(event: E): void;
  };
  sendMessage(jid: string, content: AnyMessageContent): Promise<proto.IWebMessageInfo | undefined>;
  sendPresenceUpdate(type: 'composing' | 'paused' | 'available', jid?: string): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  end(error: Error | undefined): unknown;
}

export interface ConnectOptions {
  logger: Logger;
  /** Serves Baileys' retry receipts: the content of a message we sent, by key. */
  getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
}

/** Opens a socket: Baileys' makeWASocket in production, a fake in tests. */
export type ConnectSocket = (auth: AuthenticationState, options: ConnectOptions) => WhatsAppSocket;

/** The production factory: a Baileys socket tuned for a bot that only answers. */
export const connectBaileys: ConnectSocket = (auth, options) => {
  const logger = maskingLogger(options.logger);
  return makeWASocket({
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
    logger,
    browser: Browsers.ubuntu('Chrome'),
    // Keeps notifications on the owner's phone; the bot does not need to look online.
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    getMessage: options.getMessage,
  });
};

/**
 * Baileys logs JIDs (phone numbers) freely. Its log lines go through maskPii, and it only gets
 * warnings and errors unless our level is lower.
 */
function maskingLogger(base: Logger, bindings: Record<string, unknown> = {}): ILogger {
  const target = base.child({ module: 'baileys', ...bindings }, { level: minLevel(base.level) });
  const write =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (obj: unknown, msg?: string): void => {
      if (!target.isLevelEnabled(level)) return;
      const text = maskText(typeof obj === 'string' ? obj : safeJson(obj));
      target[level]({ detail: text }, msg === undefined ? undefined : maskText(msg));
    };
  return {
    level: target.level,
    child: (obj: Record<string, unknown>) =>
      maskingLogger(base, { ...bindings, ...maskBindings(obj) }),
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function minLevel(ours: string): string {
  return LEVELS.indexOf(ours) > LEVELS.indexOf('warn') ? ours : 'warn';
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return String(value);
  }
}

function maskBindings(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? maskText(v) : v]),
  );
}

function maskText(text: string): string {
  return maskPii(maskNumbers(text));
}
