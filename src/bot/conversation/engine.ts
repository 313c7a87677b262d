import { createHash } from 'node:crypto';
import { NoFreePortError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Logger } from '../../logger.js';
import { ChatQueue } from '../shared/chat-queue.js';
import type { Effect, EffectResult, FlowContext, Transition } from './effects.js';
import { step } from './flow.js';
import type { Channel, ConversationHandler, InboundMessage, OutboundMessage } from './messages.js';
import {
  DocumentHasReservationError,
  type FindMeLinkPort,
  type HandoffListener,
  type ReverseGeocoder,
  type SalesPort,
} from './ports.js';
import { say } from './prompts.js';
import type { ConversationState } from './state.js';
import { chatKey, type ChatKey, type ConversationStore, type StateChange } from './store.js';
import { createTexts, DEFAULT_PROVIDER_NAME, type Texts } from './texts.js';

export interface ConversationEngineOptions {
  store: ConversationStore;
  sales: SalesPort;
  findme: FindMeLinkPort;
  /** Reverse geocoding for shared points; with `search`, typed addresses too. */
  geocoder?: ReverseGeocoder;
  /** The hand-off port: the sales team's queue plugs in here. */
  handoff?: HandoffListener;
  /** The provider's texts (catalogue + name); the defaults when omitted. */
  texts?: Texts;
  clock: () => Date;
  /** A conversation idle longer than this starts over (or is offered to resume), with a note. */
  idleTimeoutMs: number;
  /** How long the bot stays quiet after a hand-off if nobody releases the chat. Default 24 h. */
  handoffTimeoutMs?: number;
  logger: Logger;
  /** Mints conversation ids; defaults to ObjectId-shaped ids. */
  newId?: () => string;
}

/** A flow never chains more effects than this for one message (geocode → coverage → …). */
const MAX_EFFECTS_PER_MESSAGE = 4;

/**
 * Runs the sales flow for every channel: one message at a time per chat, state in the store,
 * effects through the ports. Never throws to the adapter: a failure becomes a friendly reply.
 */
export class ConversationEngine implements ConversationHandler {
  /** One message at a time per chat within this process; the store's lock covers other processes. */
  private readonly queue = new ChatQueue();
  private readonly handoffTimeoutMs: number;
  private readonly mintId: () => string;
  readonly texts: Texts;

  constructor(private readonly o: ConversationEngineOptions) {
    this.handoffTimeoutMs = o.handoffTimeoutMs ?? 24 * 3600_000;
    this.mintId = o.newId ?? (() => newId(o.clock().getTime()));
    this.texts = o.texts ?? createTexts({ providerName: DEFAULT_PROVIDER_NAME });
  }

  handle(message: InboundMessage): Promise<OutboundMessage[]> {
    const chat = { channel: message.channel, chatId: message.chatId };
    return this.queue.run(chatKey(chat), () => this.process(chat, message));
  }

  /** Gives a handed-off chat back to the bot. False when the chat was not handed off. */
  release(channel: Channel, chatId: string): Promise<boolean> {
    const chat = { channel, chatId };
    return this.queue.run(chatKey(chat), () =>
      this.locked(chat, async () => {
        const state = await this.o.store.read(chat);
        if (!state?.handedOffAt) return false;
        await this.o.store.delete(chat);
        this.o.logger.info({ channel, conversation: state.id }, 'conversation released to the bot');
        return true;
      }),
    );
  }

  /**
   * A message is marked processed only together with the state it produced (one commit), so a
   * crash half-way leaves it unprocessed and the platform's redelivery runs it again; the effects
   * it may repeat are idempotent (reservation and prospect keys, FindME links).
   */
  private async process(chat: ChatKey, message: InboundMessage): Promise<OutboundMessage[]> {
    try {
      return await this.locked(chat, async () => {
        if (await this.o.store.isProcessed(chat, message.messageId)) {
          this.o.logger.debug({ channel: chat.channel, chat: hashed(chat) }, 'duplicate message');
          return [];
        }
        const { replies, change } = await this.converse(chat, message);
        await this.o.store.commit(chat, message.messageId, change);
        return replies;
      });
    } catch (err) {
      this.o.logger.error(
        { channel: chat.channel, chat: hashed(chat), err },
        'conversation failed',
      );
      return [say(this.texts.storeTrouble)];
    }
  }

  private async converse(
    chat: ChatKey,
    message: InboundMessage,
  ): Promise<{ replies: OutboundMessage[]; change: StateChange }> {
    const ctx: FlowContext = {
      ...chat,
      now: this.o.clock(),
      idleTimeoutMs: this.o.idleTimeoutMs,
      handoffTimeoutMs: this.handoffTimeoutMs,
      newId: this.mintId,
      texts: this.texts,
      addressSearch: typeof this.o.geocoder?.search === 'function',
    };
    const before = await this.o.store.read(chat);
    let t: Transition = step(before, { type: 'inbound', message }, ctx);
    const replies = [...t.replies];
    for (let i = 0; t.effect && i < MAX_EFFECTS_PER_MESSAGE; i++) {
      const result = await this.run(t.effect, chat, t.state);
      t = step(t.state, result, ctx);
      replies.push(...t.replies);
    }
    // The customer left while waiting for a person ("menu", "cancelar"), or the hand-off timed out.
    if (before?.handedOffAt && !t.state?.handedOffAt) {
      await this.o.handoff
        ?.ended?.(chat)
        .catch((err: unknown) => this.o.logger.warn({ err }, 'hand-off listener failed'));
    }
    const silentOnPurpose = t.state?.handedOffAt !== undefined;
    if (replies.length === 0 && !silentOnPurpose) {
      this.o.logger.warn({ step: t.state?.step }, 'flow produced no reply');
      replies.push(say(this.texts.notUnderstood));
    }
    this.o.logger.debug(
      { channel: chat.channel, conversation: t.state?.id, kind: message.kind, step: t.state?.step },
      'conversation step',
    );
    return { replies, change: this.changeOf(before, t.state) };
  }

  private changeOf(
    before: ConversationState | undefined,
    after: ConversationState | undefined,
  ): StateChange {
    if (!after) return before ? { kind: 'delete' } : { kind: 'keep' };
    // Unchanged (a handed-off chat): keep the original expiry running.
    if (after === before) return { kind: 'keep' };
    const ttlSeconds = after.handedOffAt ? Math.ceil(this.handoffTimeoutMs / 1000) : undefined;
    return { kind: 'write', state: after, ttlSeconds };
  }

  private async run(
    effect: Effect,
    chat: ChatKey,
    state: ConversationState | undefined,
  ): Promise<EffectResult> {
    try {
      switch (effect.type) {
        case 'create-findme-link':
          return {
            type: 'findme-link',
            link: await this.o.findme.createLink(chat.channel, chat.chatId),
          };
        case 'reverse-geocode':
          return { type: 'geocoded', address: await this.o.geocoder?.reverse(effect.point) };
        case 'search-address': {
          const geocoder = this.o.geocoder;
          if (!geocoder?.search) return { type: 'address-search-failed' };
          return { type: 'address-matches', matches: await geocoder.search(effect.query) };
        }
        case 'check-coverage':
          return { type: 'coverage', answer: await this.o.sales.checkCoverage(effect.point) };
        case 'find-reservation':
          return {
            type: 'reservation-found',
            existing: await this.o.sales.findReservation(effect.document),
          };
        case 'reserve':
          return { type: 'reserved', answer: await this.o.sales.reserve(effect.request) };
        case 'move-reservation':
          return { type: 'moved', answer: await this.o.sales.moveReservation(effect.request) };
        case 'create-prospect':
          return {
            type: 'prospect-created',
            id: (await this.o.sales.createProspect(effect.request)).id,
          };
        case 'hand-off': {
          this.o.logger.info(
            { channel: chat.channel, conversation: effect.request.conversationId },
            'conversation handed off',
          );
          const outcome = await this.o.handoff?.handedOff(effect.request);
          return { type: 'handed-off', outcome: outcome ?? undefined };
        }
      }
    } catch (err) {
      this.o.logger.warn(
        { effect: effect.type, conversation: state?.id, err },
        'conversation effect failed',
      );
      return failureOf(effect, err);
    }
  }

  private async locked<T>(chat: ChatKey, fn: () => Promise<T>): Promise<T> {
    const unlock = await this.o.store.lock(chat);
    try {
      return await fn();
    } finally {
      await unlock().catch((err: unknown) =>
        this.o.logger.warn({ err }, 'could not release chat lock'),
      );
    }
  }
}

function failureOf(effect: Effect, err: unknown): EffectResult {
  switch (effect.type) {
    case 'create-findme-link':
      return { type: 'findme-link' };
    case 'reverse-geocode':
      return { type: 'geocoded' };
    case 'search-address':
      return { type: 'address-search-failed' };
    case 'check-coverage':
      return { type: 'coverage-failed' };
    case 'find-reservation':
      // The reservation itself checks the CPF again: go on without the early answer.
      return { type: 'reservation-found' };
    case 'reserve':
      if (err instanceof DocumentHasReservationError) {
        return { type: 'document-has-reservation', existing: err.existing };
      }
      return isNoFreePort(err) ? { type: 'no-free-port' } : { type: 'reserve-failed' };
    case 'move-reservation':
      return { type: 'move-failed', noFreePort: isNoFreePort(err) };
    case 'create-prospect':
      return { type: 'prospect-failed' };
    case 'hand-off':
      // The chat is handed off all the same: the bot stays quiet and says someone will answer.
      return { type: 'handed-off' };
  }
}

/** Chat ids can be phone numbers (WhatsApp): logs get a short hash instead. */
function hashed(chat: ChatKey): string {
  return createHash('sha256').update(chatKey(chat)).digest('hex').slice(0, 12);
}

function isNoFreePort(err: unknown): boolean {
  return err instanceof NoFreePortError || (err instanceof Error && err.name === 'NoFreePortError');
}
