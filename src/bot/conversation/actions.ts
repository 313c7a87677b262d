// Transitions shared by several steps: entering a step, re-prompting, and requesting the effects
// (coverage, reservation, prospect, hand-off).
import { createHash } from 'node:crypto';
import type { FlowContext, Transition } from './effects.js';
import type { GeoPoint, OutboundMessage } from './messages.js';
import { formatInstallAddress, placeOf, promptFor, say } from './prompts.js';
import { advance, type ConversationState } from './state.js';

export interface ReceivedLocation {
  point: GeoPoint;
  address?: string;
  fromFindMe: boolean;
  /** Typed (coordinates, a map link, a chosen address match) rather than shared. */
  typed?: boolean;
}

/** Shows the step's prompt, after any intro lines. */
export function enter(
  state: ConversationState,
  ctx: FlowContext,
  intro: OutboundMessage[] = [],
): Transition {
  const prompt = promptFor(state, ctx);
  return { state, replies: [...intro, ...prompt.replies], effect: prompt.effect };
}

/** Explains what went wrong, then asks the current step's question again. */
export function reprompt(state: ConversationState, note: string, ctx: FlowContext): Transition {
  return enter(state, ctx, [say(note)]);
}

/** Hands the chat to a person: the bot goes quiet and the hand-off port is told. */
export function handOff(state: ConversationState, ctx: FlowContext, text?: string): Transition {
  const a = state.answers;
  return {
    state: { ...state, handedOffAt: ctx.now.toISOString() },
    replies: [],
    effect: {
      type: 'hand-off',
      request: {
        channel: ctx.channel,
        chatId: ctx.chatId,
        conversationId: state.id,
        step: state.step,
        customerName: a.name,
        text,
        answers: {
          phone: a.phone,
          document: a.document,
          email: a.email,
          address: a.installAddress ? formatInstallAddress(a.installAddress) : a.address,
          viable: a.coverage?.viable,
          reservationCode: state.reservation?.clientCode,
        },
        at: ctx.now,
      },
    },
  };
}

/**
 * A new location replaces everything collected about the place. Coverage is checked at once:
 * the answer shows the place, with an option to say it is wrong, so no separate confirmation.
 */
export function acceptLocation(
  state: ConversationState,
  location: ReceivedLocation,
  ctx: FlowContext,
): Transition {
  const keep = state.answers;
  const next: ConversationState = {
    ...state,
    step: 'ask-location',
    history: ['menu'],
    answers: {
      point: location.point,
      address: location.address,
      fromFindMe: location.fromFindMe,
      typed: location.typed,
      // Who the customer is does not change with the place.
      name: keep.name,
      phone: keep.phone,
      suggestedPhone: keep.suggestedPhone,
      phoneDeclined: keep.phoneDeclined,
      document: keep.document,
      email: keep.email,
      emailSkipped: keep.emailSkipped,
    },
    editing: false,
    recheck: false,
    retry: undefined,
    pending: undefined,
    choices: undefined,
    existing: undefined,
    reservation: undefined,
    prospectId: undefined,
  };
  if (!location.address) {
    return { state: next, replies: [], effect: { type: 'reverse-geocode', point: location.point } };
  }
  const intro = location.fromFindMe ? [say(ctx.texts.fromMap(placeOf(next, ctx)))] : [];
  return { ...checkCoverage(next, ctx), replies: [...intro, say(ctx.texts.checking)] };
}

export function checkCoverage(state: ConversationState, ctx: FlowContext): Transition {
  const point = state.answers.point;
  if (!point) return enter({ ...state, step: 'ask-location' }, ctx);
  return {
    state,
    replies: [say(ctx.texts.checking)],
    effect: { type: 'check-coverage', point },
  };
}

export function reserve(state: ConversationState, ctx: FlowContext): Transition {
  if (state.reservation) return enter(advance(state, 'done'), ctx);
  const { point, name, phone, document, email, installAddress, emailSkipped } = state.answers;
  if (!point) return enter(advance(state, 'ask-location'), ctx);
  if (!installAddress) return enter(advance(state, 'ask-address'), ctx);
  if (!name) return enter(advance(state, 'ask-name'), ctx);
  if (!phone) return enter(advance(state, 'ask-phone'), ctx);
  if (!document) return enter(advance(state, 'ask-document'), ctx);
  if (!email && !emailSkipped) return enter(advance(state, 'ask-email'), ctx);
  return {
    state,
    replies: [say(ctx.texts.reserving)],
    effect: {
      type: 'reserve',
      request: {
        point,
        address: formatInstallAddress(installAddress),
        installAddress,
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

export function moveReservation(state: ConversationState, ctx: FlowContext): Transition {
  const { point, installAddress } = state.answers;
  const existing = state.existing;
  if (!existing || !point) return enter(advance(state, 'ask-location'), ctx);
  return {
    state,
    replies: [say(ctx.texts.moving)],
    effect: {
      type: 'move-reservation',
      request: {
        clientCode: existing.clientCode,
        point,
        address: installAddress ? formatInstallAddress(installAddress) : state.answers.address,
        installAddress,
        channel: ctx.channel,
        chatId: ctx.chatId,
        conversationId: state.id,
      },
    },
  };
}

export function createProspect(state: ConversationState, ctx: FlowContext): Transition {
  if (state.prospectId) return enter(advance(state, 'done'), ctx);
  const { point, name, phone, installAddress, address, coverage } = state.answers;
  if (!point) return enter(advance(state, 'ask-location'), ctx);
  if (!installAddress) return enter(advance(state, 'ask-address'), ctx);
  if (!name) return enter(advance(state, 'prospect-name'), ctx);
  if (!phone) return enter(advance(state, 'prospect-phone'), ctx);
  return {
    state,
    replies: [say(ctx.texts.creatingProspect)],
    effect: {
      type: 'create-prospect',
      request: {
        point,
        address: installAddress ? formatInstallAddress(installAddress) : address,
        installAddress,
        outOfArea: coverage?.outOfArea === true,
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
