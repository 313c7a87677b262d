import type { TemplatePurpose, WhatsAppCloudConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { OutboundMessage } from '../conversation/messages.js';
import { ChatQueue } from '../shared/chat-queue.js';
import { formatMenu } from '../shared/menu.js';
import type { CloudApi } from './cloud-api.js';
import { describe } from './log-safe.js';
import { CloudSendError, withCloudRetries, type CloudRetryOptions } from './retry.js';
import type { CloudStore, SentRecord } from './store.js';
import {
  noticeText,
  PURPOSE_OF,
  templateMessage,
  type CustomerNotice,
  type ResolvedTemplate,
} from './templates.js';
import { plainText, toCloudMessages, type CloudMessage } from './to-cloud-message.js';

export type CloudChannelState =
  | 'stopped'
  | 'ready'
  /** Meta refuses the access token (expired or revoked): nothing can be sent until it is replaced. */
  | 'token-invalid'
  /** The token lacks a permission or the number is not shared with the app. */
  | 'permission-missing';

/** Something a person must look at. */
export interface CloudAlert {
  kind: 'token' | 'permission' | 'templates-unverified';
  message: string;
  code?: number;
}

export interface CloudSenderOptions {
  config: WhatsAppCloudConfig;
  api: CloudApi;
  store: CloudStore;
  logger: Logger;
  now: () => Date;
  retry?: Pick<CloudRetryOptions, 'maxAttempts' | 'baseDelayMs' | 'pairRateDelayMs' | 'maxDelayMs'>;
  /** Minimum time between two messages to one customer (keeps order, reads naturally). */
  perChatGapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The pacing clock in milliseconds (tests pair it with `sleep`); Date.now by default. */
  clockMs?: () => number;
  onAlert?: (alert: CloudAlert) => void;
}

/** Meta allows free-form messages for 24 hours after the customer's last message. */
export const WINDOW_MS = 24 * 3600_000;
/** Treat the window as closed a little early: a message must arrive, not just leave, in time. */
export const WINDOW_MARGIN_MS = 10 * 60_000;
/** Used before the templates were read from Meta (start-up could not reach it). */
const UNVERIFIED_FIXED_LENGTH = 300;

/**
 * Everything the Cloud channel sends goes through here: paced per customer (in order) and per
 * number, retried on Meta's limits and outages, an interactive message Meta refuses sent again as
 * text, and the 24-hour window honoured (a template outside it). It keeps the channel's health:
 * an expired token or a missing permission raises one alert and shows in the state.
 */
export class CloudSender {
  state: CloudChannelState = 'stopped';
  lastAlert?: CloudAlert & { at: string };
  failedSends = 0;
  private readonly outbox: ChatQueue;
  private resolved: Partial<Record<TemplatePurpose, ResolvedTemplate>> = {};

  constructor(private readonly o: CloudSenderOptions) {
    this.outbox = new ChatQueue({
      perKeyGapMs: o.perChatGapMs ?? 250,
      globalGapMs: 1000 / o.config.messagesPerSecond,
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(o.clockMs ? { now: o.clockMs } : {}),
    });
  }

  /** The templates as Meta defines them (from the start-up check). */
  useTemplates(resolved: Partial<Record<TemplatePurpose, ResolvedTemplate>>): void {
    this.resolved = resolved;
  }

  /**
   * Sends engine messages to a customer from outside a webhook (FindME hand-back, a person from
   * the sales team). Inside the 24-hour window they go as they are; outside it, and when Meta
   * reports the window closed, as the hand-off reply template carrying their text. Rejects when
   * the customer could not be reached.
   */
  async send(chatId: string, messages: OutboundMessage[]): Promise<void> {
    const contact = await this.o.store.contact(chatId);
    const notice = handoffNotice(messages, contact?.profileName);
    const text = notice.message;
    if (!this.windowOpen(contact?.lastInboundAt)) {
      await this.sendTemplate(chatId, notice);
      return;
    }
    const cloud = messages.flatMap(toCloudMessages);
    try {
      for (const [i, message] of cloud.entries()) {
        // The first message carries the notice: if Meta later reports the window closed, the
        // template with the whole text replaces them all.
        await this.paced(chatId, message, i === 0 && text ? notice : undefined);
      }
    } catch (error) {
      if (error instanceof CloudSendError && error.failure.kind === 'window-closed') {
        await this.sendTemplate(chatId, notice);
        return;
      }
      throw error;
    }
  }

  /** Tells a customer something on the bot's own initiative: text in the window, else a template. */
  async notify(
    chatId: string,
    notice: CustomerNotice,
  ): Promise<{ messageId: string; as: 'text' | 'template' }> {
    const contact = await this.o.store.contact(chatId);
    const named =
      notice.name || !contact?.profileName ? notice : { ...notice, name: contact.profileName };
    if (this.windowOpen(contact?.lastInboundAt)) {
      try {
        const { id } = await this.paced(chatId, { type: 'text', body: noticeText(named) }, named);
        return { messageId: id, as: 'text' };
      } catch (error) {
        if (!(error instanceof CloudSendError && error.failure.kind === 'window-closed'))
          throw error;
      }
    }
    return { messageId: await this.sendTemplate(chatId, named), as: 'template' };
  }

  async sendTemplate(chatId: string, notice: CustomerNotice): Promise<string> {
    const purpose = PURPOSE_OF[notice.kind];
    const template = this.resolved[purpose] ?? {
      ...this.o.config.templates[purpose],
      named: false,
      fixedLength: UNVERIFIED_FIXED_LENGTH,
    };
    const message = templateMessage(notice, template, this.o.config.templates.language);
    return (await this.paced(chatId, message)).id;
  }

  /**
   * One message through the per-customer and per-number pacing. `record`: write it to the
   * outbound table now (false: the caller records it with the rest of its answer).
   */
  paced(
    chatId: string,
    message: CloudMessage,
    notice?: CustomerNotice,
    record = true,
  ): Promise<SentRecord> {
    return this.outbox.run(chatId, () => this.transmit(chatId, message, notice, record));
  }

  /** Sends with the retry policy; an interactive message Meta refuses goes again as plain text. */
  private async transmit(
    chatId: string,
    message: CloudMessage,
    notice: CustomerNotice | undefined,
    record: boolean,
  ): Promise<SentRecord> {
    let sent: CloudMessage = message;
    let messageId: string;
    try {
      messageId = await this.call(chatId, message);
    } catch (error) {
      const text = plainText(message);
      const refused = error instanceof CloudSendError && error.failure.kind === 'rejected';
      if (!refused || message.type === 'text' || !text) {
        this.noteFailure(error);
        throw error;
      }
      this.o.logger.warn(
        {
          type: message.type,
          code: error.failure.kind === 'rejected' ? error.failure.code : undefined,
        },
        'Meta refused an interactive message: sending its text instead',
      );
      sent = { type: 'text', body: text };
      try {
        messageId = await this.call(chatId, sent);
      } catch (second) {
        this.noteFailure(second);
        throw second;
      }
    }
    if (this.state === 'token-invalid' || this.state === 'permission-missing') this.state = 'ready';
    const result: SentRecord = {
      id: messageId,
      chatId,
      kind: sent.type,
      at: this.o.now(),
      ...(notice ? { notice } : {}),
    };
    // A notice must be on record before Meta can report the window closed (131047).
    if (record) {
      await this.o.store
        .recordOutbound(messageId, chatId, sent.type, result.at, notice)
        .catch((error: unknown) => {
          this.o.logger.warn({ error: describe(error) }, 'could not record a sent message');
        });
    }
    return result;
  }

  private async call(chatId: string, message: CloudMessage): Promise<string> {
    const { messageId } = await withCloudRetries(
      () => this.o.api.send(chatId, message),
      this.retryOptions(`send ${message.type}`),
    );
    return messageId;
  }

  windowOpen(lastInboundAt: Date | undefined): boolean {
    if (!lastInboundAt) return false;
    return this.o.now().getTime() - lastInboundAt.getTime() < WINDOW_MS - WINDOW_MARGIN_MS;
  }

  noteFailure(error: unknown): void {
    this.failedSends++;
    if (!(error instanceof CloudSendError)) return;
    const { failure } = error;
    if (failure.kind === 'token' && this.state !== 'token-invalid') {
      this.state = 'token-invalid';
      this.alert({
        kind: 'token',
        code: failure.code,
        message:
          'Meta refused the access token (expired or revoked): create a permanent system user token and set WHATSAPP_CLOUD_ACCESS_TOKEN',
      });
    } else if (failure.kind === 'permission' && this.state !== 'permission-missing') {
      this.state = 'permission-missing';
      this.alert({
        kind: 'permission',
        code: failure.code,
        message:
          'Meta says the access token lacks a permission: give the system user whatsapp_business_messaging and whatsapp_business_management on this WhatsApp account',
      });
    }
  }

  alert(alert: CloudAlert): void {
    this.lastAlert = { ...alert, at: this.o.now().toISOString() };
    this.o.logger.error(
      { alert: alert.kind, code: alert.code },
      `WhatsApp Cloud API: ${alert.message}`,
    );
    try {
      this.o.onAlert?.(alert);
    } catch {
      // An alert sink failing must not break sending.
    }
  }

  retryOptions(what: string): CloudRetryOptions {
    return {
      logger: this.o.logger,
      what,
      ...this.o.retry,
      ...(this.o.sleep ? { sleep: this.o.sleep } : {}),
    };
  }
}

/**
 * The hand-off reply notice carrying what `messages` say: what replaces them as a template when
 * the customer's 24-hour window is closed.
 */
export function handoffNotice(
  messages: OutboundMessage[],
  name?: string,
): Extract<CustomerNotice, { kind: 'handoff-reply' }> {
  return {
    kind: 'handoff-reply',
    ...(name ? { name } : {}),
    message: messages.map(textOf).filter(Boolean).join('\n\n'),
  };
}

/** What an engine message says as plain text (a template can carry nothing else). */
function textOf(message: OutboundMessage): string {
  switch (message.kind) {
    case 'text':
      return formatMenu(message.text, message.options);
    case 'request-location':
      return [message.text, message.findmeUrl].filter(Boolean).join(' ');
    case 'location':
      return [message.title, message.address].filter(Boolean).join(', ');
  }
}
