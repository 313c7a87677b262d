// Transitions shared by several steps: entering a step, re-prompting, and requesting the effects
// (coverage, reservation, prospect).
import { createHash } from 'node:crypto';
import type { FlowContext, Transition } from './effects.js';
import type { GeoPoint, OutboundMessage } from './messages.js';
import { placeOf, promptFor, say } from './prompts.js';
import { advance, type ConversationState } from './state.js';
import { texts } from './texts.js';

export interface ReceivedLocation {
  point: GeoPoint;
  address?: string;
  fromFindMe: boolean;
}

/** Shows the step's prompt, after any intro lines. */
export function enter(
  state: ConversationState,
  ctx: FlowContext,
  intro: OutboundMessage[] = [],
): Transition {
  const prompt = promptFor(state, ctx.now);
  return { state, replies: [...intro, ...prompt.replies], effect: prompt.effect };
}

/** Explains what went wrong, then asks the current step's question again. */
export function reprompt(state: ConversationState, note: string, ctx: FlowContext): Transition {
  return enter(state, ctx, [say(note)]);
}

export function handOff(state: ConversationState, ctx: FlowContext): Transition {
  return {
    state: { ...state, handedOffAt: ctx.now.toISOString() },
    replies: [say(texts.handoff)],
    handedOff: true,
  };
}

/** A new location replaces everything collected so far in this conversation. */
export function acceptLocation(
  state: ConversationState,
  location: ReceivedLocation,
  ctx: FlowContext,
): Transition {
  const next: ConversationState = {
    ...state,
    step: 'confirm-location',
    history: ['menu', 'ask-location'],
    answers: {
      point: location.point,
      address: location.address,
      fromFindMe: location.fromFindMe,
    },
    editing: false,
    recheck: false,
    retry: undefined,
    pending: undefined,
  };
  // On the FindME page the customer already confirmed the pin: no need to ask again.
  if (location.fromFindMe) {
    return {
      state: next,
      replies: [say(texts.fromMap(placeOf(next))), say(texts.checking)],
      effect: { type: 'check-coverage', point: location.point },
    };
  }
  if (!location.address) {
    return { state: next, replies: [], effect: { type: 'reverse-geocode', point: location.point } };
  }
  return enter(next, ctx);
}

export function checkCoverage(state: ConversationState, ctx: FlowContext): Transition {
  const point = state.answers.point;
  if (!point) return enter({ ...state, step: 'ask-location' }, ctx);
  return {
    state,
    replies: [say(texts.checking)],
    effect: { type: 'check-coverage', point },
  };
}

export function reserve(state: ConversationState, ctx: FlowContext): Transition {
  if (state.reservation) {
    return {
      state: advance(state, 'done'),
      replies: [say(texts.alreadyReserved(state.reservation))],
    };
  }
  const { point, address, name, phone, document, email } = state.answers;
  if (!point) return enter(advance(state, 'ask-location'), ctx);
  if (!name) return enter(advance(state, 'ask-name'), ctx);
  if (!phone) return enter(advance(state, 'ask-phone'), ctx);
  if (!document) return enter(advance(state, 'ask-document'), ctx);
  if (!email) return enter(advance(state, 'ask-email'), ctx);
  return {
    state,
    replies: [say(texts.reserving)],
    effect: {
      type: 'reserve',
      request: {
        point,
        address,
        name,
        phone,
        document,
        email,
        channel: ctx.channel,
        chatId: ctx.chatId,
        conversationId: state.id,
        idempotencyKey: idempotencyKey(ctx, state.id),
        answers: { name, phone, document, email },
      },
    },
  };
}

export function createProspect(state: ConversationState, ctx: FlowContext): Transition {
  if (state.prospectId) {
    return { state: advance(state, 'done'), replies: [say(texts.alreadyProspect)] };
  }
  const { point, address, name, phone } = state.answers;
  if (!point) return enter(advance(state, 'ask-location'), ctx);
  if (!name) return enter(advance(state, 'prospect-name'), ctx);
  if (!phone) return enter(advance(state, 'prospect-phone'), ctx);
  return {
    state,
    replies: [say(texts.creatingProspect)],
    effect: {
      type: 'create-prospect',
      request: {
        point,
        address,
        name,
        phone,
        channel: ctx.channel,
        chatId: ctx.chatId,
        conversationId: state.id,
        idempotencyKey: idempotencyKey(ctx, state.id),
      },
    },
  };
}

/**
 * Stable for one conversation, different for the next one of the same chat. Hashed so the chat
 * id (a phone number on WhatsApp) does not end up in client codes.
 */
export function idempotencyKey(
  chat: { channel: string; chatId: string },
  conversationId: string,
): string {
  const digest = createHash('sha256')
    .update(`${chat.channel}\n${chat.chatId}\n${conversationId}`)
    .digest('hex');
  // Bare hex: no fixed prefix that a chat id could be mistaken for (callers add their own).
  return digest.slice(0, 24);
}
