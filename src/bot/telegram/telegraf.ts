// The only file that imports telegraf. Everything else in src/bot/telegram uses the types
// re-exported here, so a library upgrade or swap touches this file alone.
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { safeError, type SafeError } from '../../logger.js';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../conversation/messages.js';
import { ChatQueue, maskChatId } from '../shared/chat-queue.js';
import { fromTelegrafUpdate } from './from-telegraf-update.js';
import { classifyTelegramError, withTelegramRetries } from './retry.js';
import { toTelegramReply, type TelegramCall } from './to-telegram-reply.js';
import { secretTokenMatches } from './webhook-router.js';

export type {
  InlineKeyboardMarkup,
  Message,
  ReplyKeyboardMarkup,
  Update,
  User,
} from 'telegraf/types';

export type TelegramConfig = NonNullable<Config['telegram']>;

export interface TelegramChannelOptions {
  /** Retry tuning for Bot API calls (tests shrink the backoff). */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Sent when the conversation handler throws. */
  apologyText?: string;
}

/** The update kinds the bot asks Telegram for; everything else is never delivered. */
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const RECENT_UPDATES = 2048;
const DEFAULT_APOLOGY = 'Desculpe, tive um problema para responder agora. Pode tentar de novo?';

/**
 * Telegram channel: receives updates by long polling (default) or webhook, hands each supported
 * one to the conversation handler (one at a time per chat) and sends the replies in order.
 * It is also the ChannelSender for messages that start outside a Telegram update (FindME).
 */
export class TelegramChannel implements ChannelSender {
  readonly channel = 'telegram' as const;
  private readonly bot: Telegraf;
  /** Serialises handling per chat, so replies never overtake each other. */
  private readonly inbox = new ChatQueue();
  /** Serialises sends per chat; a 429 wait holds back that chat's later messages. */
  private readonly outbox = new ChatQueue();
  private readonly recentUpdates = new Set<number>();
  private polling?: Promise<void>;
  private running = false;

  constructor(
    private readonly config: TelegramConfig,
    private readonly handler: ConversationHandler,
    private readonly logger: Logger,
    private readonly options: TelegramChannelOptions = {},
  ) {
    // webhookReply off: every call is a real request whose errors we see (see the channels doc).
    this.bot = new Telegraf(config.token, {
      telegram: { apiRoot: config.apiRoot, webhookReply: false },
    });
    this.bot.use(async (ctx) => this.onUpdate(ctx.update));
    this.bot.catch((error, ctx) => {
      this.logger.error(
        { updateId: ctx.update.update_id, error: describeError(error) },
        'telegram update failed',
      );
    });
  }

  /** Webhook mode when configured, otherwise long polling. Fails fast on a bad token (401). */
  async start(): Promise<void> {
    const me = await this.call('getMe', () => this.bot.telegram.getMe());
    this.bot.botInfo = me;
    const webhook = this.config.webhook;
    if (webhook) {
      await this.call('setWebhook', () =>
        this.bot.telegram.setWebhook(webhook.url, {
          secret_token: webhook.secret,
          allowed_updates: [...ALLOWED_UPDATES],
        }),
      );
      this.running = true;
      this.logger.info({ bot: me.username, mode: 'webhook' }, 'telegram channel started');
      return;
    }
    // getUpdates fails with 409 while a webhook is set.
    await this.call('deleteWebhook', () => this.bot.telegram.deleteWebhook());
    this.running = true;
    this.polling = this.bot
      .launch({ allowedUpdates: [...ALLOWED_UPDATES] })
      .catch((error: unknown) => {
        const failure = classifyTelegramError(error);
        if (failure.kind === 'fatal') this.logger.error({ code: failure.code }, failure.hint);
        else this.logger.error({ error: describeError(error) }, 'telegram polling stopped');
      })
      .finally(() => {
        this.running = false;
      });
    this.logger.info({ bot: me.username, mode: 'polling' }, 'telegram channel started');
  }

  /** Stops polling (the webhook stays registered, so another instance can keep serving it). */
  async stop(): Promise<void> {
    if (this.polling) {
      try {
        this.bot.stop('shutdown');
      } catch {
        // telegraf throws when polling already ended (e.g. after a fatal 409).
      }
      await this.polling;
      this.polling = undefined;
    }
    this.running = false;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The path of TELEGRAM_WEBHOOK_URL, where the webhook router listens; undefined when polling. */
  get webhookPath(): string | undefined {
    return this.config.webhook ? new URL(this.config.webhook.url).pathname : undefined;
  }

  /** Constant-time check of the `X-Telegram-Bot-Api-Secret-Token` header. */
  verifySecret(received: string | undefined): boolean {
    const expected = this.config.webhook?.secret;
    return expected !== undefined && secretTokenMatches(expected, received);
  }

  /** Processes one update delivered by the webhook; resolves once its replies were sent. */
  async handleWebhookUpdate(update: Update): Promise<void> {
    await this.bot.handleUpdate(update);
  }

  async send(chatId: string, messages: OutboundMessage[]): Promise<void> {
    const calls = messages.flatMap(toTelegramReply);
    await Promise.all(
      calls.map((call) => this.outbox.run(chatId, () => this.sendCall(chatId, call))),
    );
  }

  private async onUpdate(update: Update): Promise<void> {
    if (this.recentUpdates.has(update.update_id)) return;
    remember(this.recentUpdates, update.update_id, RECENT_UPDATES);
    if ('callback_query' in update) {
      // Stops the button's spinner; failing to do so is cosmetic.
      const id = update.callback_query.id;
      this.bot.telegram.answerCbQuery(id).catch((error: unknown) => {
        this.logger.debug({ error: describeError(error) }, 'answerCallbackQuery failed');
      });
    }
    const inbound = fromTelegrafUpdate(update);
    if (!inbound) {
      this.logger.debug({ updateId: update.update_id }, 'telegram update ignored');
      return;
    }
    await this.inbox.run(inbound.chatId, () => this.converse(inbound));
  }

  private async converse(inbound: InboundMessage): Promise<void> {
    const chat = maskChatId(inbound.chatId);
    this.logger.debug({ chat, kind: inbound.kind }, 'telegram message received');
    let replies: OutboundMessage[];
    try {
      replies = await this.handler.handle(inbound);
    } catch (error) {
      this.logger.error({ chat, error: describeError(error) }, 'conversation handler failed');
      replies = [{ kind: 'text', text: this.options.apologyText ?? DEFAULT_APOLOGY }];
    }
    await this.send(inbound.chatId, replies);
  }

  private async sendCall(chatId: string, call: TelegramCall): Promise<void> {
    const telegram = this.bot.telegram;
    await this.call(call.method, async () => {
      switch (call.method) {
        case 'sendMessage':
          return telegram.callApi('sendMessage', { chat_id: chatId, ...call.payload });
        case 'sendLocation':
          return telegram.callApi('sendLocation', { chat_id: chatId, ...call.payload });
        case 'sendVenue':
          return telegram.callApi('sendVenue', { chat_id: chatId, ...call.payload });
      }
    });
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withTelegramRetries(fn, { logger: this.logger, what, ...this.options.retry });
  }
}

/** Builds the channel from its config slice; call `start()` to connect. */
export function createTelegramChannel(
  config: TelegramConfig,
  handler: ConversationHandler,
  logger: Logger,
  options: TelegramChannelOptions = {},
): TelegramChannel {
  return new TelegramChannel(config, handler, logger.child({ channel: 'telegram' }), options);
}

function remember(set: Set<number>, id: number, limit: number): void {
  set.add(id);
  if (set.size > limit) {
    const oldest = set.values().next();
    if (!oldest.done) set.delete(oldest.value);
  }
}

/** An error for the log: message only (telegraf errors carry the request payload: chat ids, text). */
function describeError(error: unknown): SafeError {
  return safeError(error);
}
