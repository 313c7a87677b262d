import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, type WhatsAppCloudConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../conversation/messages.js';
import { ChatQueue, maskChatId } from '../shared/chat-queue.js';
import { verifyWebhookSignature, type CloudApi } from './cloud-api.js';
import { fromCloudWebhook, type CloudStatus } from './from-cloud-webhook.js';
import { describe, shortHash } from './log-safe.js';
import { classifyCode, CloudSendError, withCloudRetries, type CloudRetryOptions } from './retry.js';
import { CloudSender, handoffNotice, type CloudAlert, type CloudChannelState } from './sender.js';
import type { CloudStore, ContactTouch, PendingInbound, SentRecord } from './store.js';
import { checkTemplates, type CustomerNotice } from './templates.js';
import { toCloudMessages } from './to-cloud-message.js';

export type { CloudAlert, CloudChannelState } from './sender.js';

export interface CloudChannelStatus {
  state: CloudChannelState;
  phoneNumberId: string;
  templates: 'verified' | 'unverified';
  lastAlert?: CloudAlert & { at: string };
  counts: { received: number; duplicates: number; answered: number; failedSends: number };
}

export interface ReceiveSummary {
  accepted: number;
  duplicates: number;
  statuses: number;
  ignored: number;
}

export interface WhatsAppCloudChannelOptions {
  config: WhatsAppCloudConfig;
  api: CloudApi;
  store: CloudStore;
  handler: ConversationHandler;
  logger: Logger;
  now?: () => Date;
  /** How long this process keeps a received message to itself while answering it. */
  claimMs?: number;
  /** Conversations answered at once; more wait their turn (the webhook is never held up). */
  concurrency?: number;
  retry?: Pick<CloudRetryOptions, 'maxAttempts' | 'baseDelayMs' | 'pairRateDelayMs' | 'maxDelayMs'>;
  /** Minimum time between two messages to one customer (keeps order, reads naturally). */
  perChatGapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The pacing clock in milliseconds (tests pair it with `sleep`); Date.now by default. */
  clockMs?: () => number;
  onAlert?: (alert: CloudAlert) => void;
  apologyText?: string;
}

/** Meta redelivers a webhook for up to 7 days; an answer still not delivered by then is dropped. */
const GIVE_UP_MS = 7 * 24 * 3600_000;

const DEFAULT_APOLOGY = 'Desculpe, tive um problema para responder agora. Pode tentar de novo?';

/**
 * WhatsApp on the official Cloud API. Meta posts customer messages to the webhook; each is stored
 * under its wamid before the webhook is answered (so it is processed once however often Meta
 * redelivers, and survives a restart), handed to the conversation engine one at a time per
 * customer, and the replies go out through the CloudSender (paced, retried, window-aware).
 * It is also the ChannelSender for messages that start outside a webhook (FindME, the sales team).
 */
export class WhatsAppCloudChannel implements ChannelSender {
  readonly channel = 'whatsapp-cloud' as const;
  private readonly inbox = new ChatQueue();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly now: () => Date;
  private readonly claimMs: number;
  private readonly slots: Slots;
  private readonly sender: CloudSender;
  private templatesVerified = false;
  private readonly counts = { received: 0, duplicates: 0, answered: 0 };

  constructor(private readonly o: WhatsAppCloudChannelOptions) {
    this.now = o.now ?? (() => new Date());
    this.claimMs = o.claimMs ?? 10 * 60_000;
    this.slots = new Slots(o.concurrency ?? 4);
    this.sender = new CloudSender({
      config: o.config,
      api: o.api,
      store: o.store,
      logger: o.logger,
      now: this.now,
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.perChatGapMs !== undefined ? { perChatGapMs: o.perChatGapMs } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(o.clockMs ? { clockMs: o.clockMs } : {}),
      ...(o.onAlert ? { onAlert: o.onAlert } : {}),
    });
  }

  /**
   * Checks the configured templates at Meta before the service takes traffic. A template that is
   * missing, unapproved or of the wrong shape stops the start with a list of what to fix; Meta
   * being unreachable, or a token that cannot read templates, only warns.
   */
  async prepare(): Promise<void> {
    const { templates } = this.o.config;
    const names = [
      templates.reservationExpiring.name,
      templates.handoffReply.name,
      templates.fibreAvailable.name,
    ];
    let found;
    try {
      found = await withCloudRetries(() => this.o.api.templates(names), {
        ...this.sender.retryOptions('list templates'),
        maxAttempts: 3,
      });
    } catch (error) {
      this.sender.noteFailure(error);
      const kind = error instanceof CloudSendError ? error.failure.kind : 'transient';
      this.sender.alert({
        kind: 'templates-unverified',
        message:
          kind === 'permission'
            ? 'could not read the message templates: give the token the whatsapp_business_management permission'
            : `could not read the message templates (${kind}); they will be used unverified`,
      });
      return;
    }
    const check = checkTemplates(templates, found);
    if (check.problems.length > 0) throw new ConfigError(check.problems);
    this.sender.useTemplates(check.resolved);
    this.templatesVerified = true;
    this.o.logger.info({ templates: names }, 'WhatsApp Cloud API templates verified');
  }

  start(): Promise<void> {
    if (this.sender.state === 'stopped') this.sender.state = 'ready';
    this.o.logger.info(
      { phoneNumberId: this.o.config.phoneNumberId, state: this.sender.state },
      'WhatsApp Cloud API channel started',
    );
    return Promise.resolve();
  }

  /** Lets answers in progress finish (up to `drainMs`); unfinished ones are resumed later. */
  async stop(drainMs = 5_000): Promise<void> {
    await Promise.race([
      this.whenIdle(),
      new Promise((resolve) => setTimeout(resolve, drainMs).unref()),
    ]);
    this.sender.state = 'stopped';
  }

  status(): CloudChannelStatus {
    return {
      state: this.sender.state,
      phoneNumberId: this.o.config.phoneNumberId,
      templates: this.templatesVerified ? 'verified' : 'unverified',
      ...(this.sender.lastAlert ? { lastAlert: this.sender.lastAlert } : {}),
      counts: { ...this.counts, failedSends: this.sender.failedSends },
    };
  }

  /** Resolves when every message received so far is answered (or given up for now). */
  async whenIdle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** The GET handshake: the challenge to echo when mode and token are right. */
  verifyChallenge(mode: unknown, token: unknown, challenge: unknown): string | undefined {
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
      return undefined;
    }
    return sameSecret(this.o.config.verifyToken, token) ? challenge : undefined;
  }

  verifySignature(rawBody: Buffer, header: string | undefined): boolean {
    return verifyWebhookSignature(this.o.config.appSecret, rawBody, header);
  }

  /**
   * Takes a verified webhook body: stores each new customer message (a redelivered wamid is
   * dropped), applies delivery statuses, and returns at once; the answers are made afterwards.
   * Throws only when the database fails, so Meta redelivers and nothing is lost.
   */
  async receive(payload: unknown): Promise<ReceiveSummary> {
    const receivedAt = this.now();
    const events = fromCloudWebhook(payload, this.o.config.phoneNumberId, receivedAt);
    for (const ignored of events.ignored) {
      this.o.logger.debug(ignored, 'WhatsApp Cloud API event ignored');
    }
    for (const error of events.errors) {
      this.o.logger.warn(
        { code: error.code, title: error.title },
        'WhatsApp Cloud API reported an error',
      );
    }
    const fresh: InboundMessage[] = [];
    let duplicates = 0;
    try {
      for (const { message, profileName } of events.messages) {
        // Only the wamid is written before Meta gets its answer; the rest happens while answering.
        this.counts.received++;
        if (!(await this.o.store.recordInbound(message, receivedAt, this.claimMs))) {
          duplicates++;
          this.counts.duplicates++;
          this.o.logger.info(
            { message: shortHash(message.messageId), chat: maskChatId(message.chatId) },
            'WhatsApp Cloud API redelivered a message already received: ignored',
          );
          continue;
        }
        fresh.push(profileName ? { ...message, senderName: profileName } : message);
      }
      for (const status of events.statuses) await this.applyStatus(status);
    } finally {
      // Even when a later write failed (Meta then redelivers it all), the messages already
      // stored are answered now rather than when their claim runs out.
      for (const message of fresh) {
        this.track(
          this.answer({
            id: message.messageId,
            chatId: message.chatId,
            state: 'received',
            message,
            sentCount: 0,
            attempts: 1,
            receivedAt,
          }),
        );
      }
    }
    return {
      accepted: fresh.length,
      duplicates,
      statuses: events.statuses.length,
      ignored: events.ignored.length,
    };
  }

  /**
   * Finishes messages nobody is answering: those of a process that died, and those whose replies
   * could not be delivered yet (Meta down, token being replaced). Past the 24-hour window the
   * answer goes as a template; past Meta's own redelivery horizon it is given up. Run by a
   * scheduled job.
   */
  async recover(): Promise<number> {
    const now = this.now();
    const claimed = await this.o.store.claimStale(now, this.claimMs);
    for (const pending of claimed) {
      if (now.getTime() - pending.receivedAt.getTime() > GIVE_UP_MS) {
        await this.o.store.finish(pending.id, 'failed');
        this.o.logger.error(
          {
            message: shortHash(pending.id),
            chat: maskChatId(pending.chatId),
            attempts: pending.attempts,
          },
          'WhatsApp Cloud API: gave up answering a message received over 7 days ago',
        );
        continue;
      }
      this.track(this.answer(pending));
    }
    await this.whenIdle();
    return claimed.length;
  }

  /** Deletes answered messages past Meta's redelivery horizon and old delivery statuses. */
  purge(): Promise<{ inbound: number; outbound: number }> {
    return this.o.store.purge(this.now());
  }

  /**
   * Sends engine messages to a customer from outside a webhook (FindME hand-back, a person from
   * the sales team): as they are inside the 24-hour window, as the hand-off template outside it.
   */
  send(chatId: string, messages: OutboundMessage[]): Promise<void> {
    return this.sender.send(chatId, messages);
  }

  /** Tells a customer something on the bot's own initiative: text in the window, else a template. */
  notify(chatId: string, notice: CustomerNotice): ReturnType<CloudSender['notify']> {
    return this.sender.notify(chatId, notice);
  }

  /** Where a customer's media can be fetched (for the admin proxy). */
  media(mediaId: string): ReturnType<CloudApi['media']> {
    return this.o.api.media(mediaId);
  }

  download(url: string): Promise<Response> {
    return this.o.api.download(url);
  }

  private async answer(pending: PendingInbound): Promise<void> {
    await this.inbox.run(pending.chatId, () => this.slots.run(() => this.answerNow(pending)));
  }

  private async answerNow(pending: PendingInbound): Promise<void> {
    const chat = maskChatId(pending.chatId);
    const sent: SentRecord[] = [];
    try {
      let replies = pending.replies;
      /** When the customer last wrote, if known without reading the database. */
      let wroteAt: Date | undefined;
      if (!replies) {
        const { message } = pending;
        if (!message) {
          await this.o.store.finish(pending.id, 'failed');
          return;
        }
        // The customer's 24-hour window runs from when they wrote (never later than received).
        const contact: ContactTouch = {
          chatId: message.chatId,
          at: message.sentAt < pending.receivedAt ? message.sentAt : pending.receivedAt,
          ...(message.senderName ? { profileName: message.senderName } : {}),
        };
        if (!this.sender.windowOpen(contact.at)) {
          // Meta delivered it late (it retries for days after an outage): a newer message may
          // have opened the window since.
          const known = await this.o.store.contact(message.chatId);
          if (known && known.lastInboundAt > contact.at) contact.at = known.lastInboundAt;
        }
        wroteAt = contact.at;
        this.o.api.markRead(message.messageId).catch((error: unknown) => {
          this.o.logger.debug({ error: describe(error) }, 'could not mark a message read');
        });
        replies = await this.converse(message);
        if (replies.length === 0) {
          await this.o.store.finish(pending.id, 'done', [], contact);
          return;
        }
        await this.o.store.saveReplies(pending.id, replies, contact);
      }
      wroteAt ??= (await this.o.store.contact(pending.chatId))?.lastInboundAt;
      if (!this.sender.windowOpen(wroteAt)) {
        await this.answerLate(pending, replies.slice(pending.sentCount));
        return;
      }
      for (let i = pending.sentCount; i < replies.length; i++) {
        // The answer's first message carries all of it, for the template that replaces it if
        // Meta reports the window closed after all.
        const notice = i === 0 ? handoffNotice(replies, pending.message?.senderName) : undefined;
        if ((await this.deliverReply(pending.chatId, replies[i]!, sent, notice)) === 'later') {
          await this.o.store.release(pending.id, this.retryAt(pending), i, sent);
          return;
        }
      }
      await this.o.store.finish(pending.id, 'done', sent);
      this.counts.answered++;
    } catch (error) {
      // The claim runs out and the recovery job tries again (replies already sent go again:
      // a rare duplicate is better than a lost answer).
      this.o.logger.error(
        { chat, error: describe(error) },
        'could not answer a WhatsApp Cloud API message',
      );
    }
  }

  /**
   * The customer's 24-hour window closed before the answer could go (Meta delivered the message
   * late, or the replies waited out an outage): the answer goes as the hand-off template.
   */
  private async answerLate(pending: PendingInbound, replies: OutboundMessage[]): Promise<void> {
    const chat = maskChatId(pending.chatId);
    try {
      const name =
        pending.message?.senderName ?? (await this.o.store.contact(pending.chatId))?.profileName;
      await this.sender.sendTemplate(pending.chatId, handoffNotice(replies, name));
    } catch (error) {
      if (postponable(error)) {
        this.o.logger.warn(
          { chat, reason: (error as CloudSendError).failure?.kind ?? 'transient' },
          'WhatsApp Cloud API late answer postponed',
        );
        await this.o.store.release(pending.id, this.retryAt(pending), pending.sentCount, []);
        return;
      }
      this.o.logger.error(
        { chat, error: describe(error) },
        'WhatsApp Cloud API late answer not delivered',
      );
      await this.o.store.finish(pending.id, 'failed');
      return;
    }
    this.o.logger.info(
      { chat, message: shortHash(pending.id) },
      'WhatsApp Cloud API: answered after the 24-hour window closed, by template',
    );
    await this.o.store.finish(pending.id, 'done');
    this.counts.answered++;
  }

  /** When the inbox job may try a postponed answer again: 1 min, 2 min, ... at most 30 min. */
  private retryAt(pending: PendingInbound): Date {
    const wait = Math.min(30_000 * 2 ** Math.min(pending.attempts, 6), 30 * 60_000);
    return new Date(this.now().getTime() + wait);
  }

  /** Sends one reply; 'later' when Meta cannot take it now (retry the rest afterwards). */
  private async deliverReply(
    chatId: string,
    reply: OutboundMessage,
    sent: SentRecord[],
    notice?: CustomerNotice,
  ): Promise<'sent' | 'later'> {
    for (const [i, message] of toCloudMessages(reply).entries()) {
      try {
        sent.push(await this.sender.paced(chatId, message, i === 0 ? notice : undefined, false));
      } catch (error) {
        if (postponable(error)) {
          const kind = error instanceof CloudSendError ? error.failure.kind : 'transient';
          this.o.logger.warn(
            { chat: maskChatId(chatId), reason: kind },
            'WhatsApp Cloud API reply postponed',
          );
          return 'later';
        }
        // Undeliverable, or refused even as text: the rest could not go either.
        this.o.logger.error(
          { chat: maskChatId(chatId), error: describe(error) },
          'WhatsApp Cloud API reply not delivered',
        );
        return 'sent';
      }
    }
    return 'sent';
  }

  private async converse(message: InboundMessage): Promise<OutboundMessage[]> {
    try {
      return await this.o.handler.handle(message);
    } catch (error) {
      this.o.logger.error(
        { chat: maskChatId(message.chatId), error: describe(error) },
        'conversation handler failed',
      );
      return [{ kind: 'text', text: this.o.apologyText ?? DEFAULT_APOLOGY }];
    }
  }

  private async applyStatus(status: CloudStatus): Promise<void> {
    const code = status.errors[0]?.code;
    const known = await this.o.store.applyStatus(status.messageId, status.status, code);
    if (status.status !== 'failed') return;
    const failure = code === undefined ? undefined : classifyCode(code);
    this.o.logger.warn(
      { message: shortHash(status.messageId), code, reason: failure?.kind },
      'WhatsApp Cloud API could not deliver a message',
    );
    if (failure?.kind === 'window-closed' && known?.notice) {
      const { chatId, notice } = known;
      this.track(
        this.sender.sendTemplate(chatId, notice).catch((error: unknown) => {
          this.o.logger.error(
            { chat: maskChatId(chatId), error: describe(error) },
            'could not send the template replacing an undelivered message',
          );
        }),
      );
    } else if (failure?.kind === 'token' || failure?.kind === 'permission') {
      this.sender.noteFailure(new CloudSendError(failure, 'delivery failed'));
    }
  }

  private track(task: Promise<unknown>): void {
    const tracked = task.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    tracked.catch(() => undefined);
  }
}

/** Failures that pass (Meta down or busy, a token being replaced): try the reply again later. */
function postponable(error: unknown): boolean {
  const kind = error instanceof CloudSendError ? error.failure.kind : 'transient';
  return (
    kind === 'transient' ||
    kind === 'throughput' ||
    kind === 'pair-rate' ||
    kind === 'token' ||
    kind === 'permission'
  );
}

/** Compares without an early exit: both sides are hashed to equal length first. */
function sameSecret(expected: string, received: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}

/** At most `size` tasks at once; the others wait in order. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((wake) => this.waiting.push(wake));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
