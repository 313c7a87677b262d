// The sales conversation as a pure state machine: (state, event) → (state, replies, effect).
// No I/O here: effects are requested and their results come back as events (see engine.ts).
import { acceptLocation, enter, handOff, reprompt, type ReceivedLocation } from './actions.js';
import type { EffectResult, FlowContext, FlowEvent, Transition } from './effects.js';
import type { InboundMessage, OutboundMessage } from './messages.js';
import { parseCommand, type Command } from './parse.js';
import { ask, locationRequest, say } from './prompts.js';
import { advance, back, newConversation, type ConversationState } from './state.js';
import { texts } from './texts.js';
import { isPhoneStep, onPhone, onText } from './steps.js';

export function step(
  state: ConversationState | undefined,
  event: FlowEvent,
  ctx: FlowContext,
): Transition {
  if (event.type === 'inbound') return onInbound(state, event.message, ctx);
  // A result for a conversation that ended meanwhile changes nothing.
  if (!state) return { state, replies: [] };
  return onResult(touch(state, ctx), event, ctx);
}

function onInbound(
  current: ConversationState | undefined,
  message: InboundMessage,
  ctx: FlowContext,
): Transition {
  let state = current;
  let notes: OutboundMessage[] = [];
  if (state?.handedOffAt) {
    // A person owns the chat: stay quiet until released (or the hand-off itself times out);
    // "menu" and "cancelar" still work while waiting.
    const command = message.kind === 'text' ? parseCommand(message.text) : undefined;
    const leaving = command === 'menu' || command === 'cancel';
    if (!leaving && elapsed(state.handedOffAt, ctx) < ctx.handoffTimeoutMs) {
      return { state, replies: [] };
    }
    state = undefined;
  } else if (state && elapsed(state.updatedAt, ctx) > ctx.idleTimeoutMs) {
    if (state.step !== 'done') notes = [say(texts.expired)];
    state = undefined;
  }
  const t = state ? continueConversation(touch(state, ctx), message, ctx) : start(message, ctx);
  return { ...t, replies: [...notes, ...t.replies] };
}

function start(message: InboundMessage, ctx: FlowContext): Transition {
  const fresh = newConversation(ctx.newId(), ctx.now);
  const location = locationOf(message);
  if (location) return acceptLocation(fresh, location, ctx);
  const greeting = [say(texts.greeting(firstName(message.senderName)))];
  if (message.kind === 'text') {
    const command = parseCommand(message.text);
    if (command === 'cancel') return { state: undefined, replies: [say(texts.cancelled)] };
    if (command === 'human') return handOff(fresh, ctx);
  } else {
    greeting.push(say(texts.unsupportedMedia));
  }
  return enter(fresh, ctx, greeting);
}

function continueConversation(
  state: ConversationState,
  message: InboundMessage,
  ctx: FlowContext,
): Transition {
  switch (message.kind) {
    case 'text': {
      const command = parseCommand(message.text);
      if (command && command !== 'retry') return onCommand(state, command, ctx);
      return onText(state, message, ctx);
    }
    case 'location':
    case 'findme-location':
      return onLocation(state, locationOf(message) as ReceivedLocation, ctx);
    case 'contact':
      if (isPhoneStep(state.step)) return onPhone(state, message.phone, ctx);
      return reprompt(state, texts.contactNotNeeded, ctx);
    case 'unsupported':
      return reprompt(state, texts.unsupportedMedia, ctx);
  }
}

function onCommand(state: ConversationState, command: Command, ctx: FlowContext): Transition {
  switch (command) {
    case 'menu':
      return enter(newConversation(ctx.newId(), ctx.now), ctx);
    case 'cancel':
      return { state: undefined, replies: [say(texts.cancelled)] };
    case 'human':
      return handOff(state, ctx);
    case 'back':
      return goBack(state, ctx);
    case 'retry':
      return onText(state, { text: 'tentar de novo' }, ctx);
  }
}

function goBack(state: ConversationState, ctx: FlowContext): Transition {
  if (state.step === 'menu' || state.step === 'done') return enter(state, ctx);
  if (state.step === 'confirm-new-location' && state.pending) {
    return enter({ ...state, step: state.pending.resume, pending: undefined }, ctx);
  }
  return enter({ ...back(state), recheck: false, retry: undefined }, ctx);
}

/** Steps where a new location would throw away data the customer typed: ask first. */
const COLLECTING = new Set([
  'ask-name',
  'ask-phone',
  'ask-document',
  'ask-email',
  'confirm-reservation',
  'choose-correction',
  'prospect-name',
  'prospect-phone',
  'confirm-new-location',
]);

function onLocation(
  state: ConversationState,
  location: ReceivedLocation,
  ctx: FlowContext,
): Transition {
  if (state.step === 'done') {
    return acceptLocation(newConversation(ctx.newId(), ctx.now), location, ctx);
  }
  const waitingForData =
    COLLECTING.has(state.step) || (state.step === 'retry' && state.retry !== 'coverage');
  if (!waitingForData) return acceptLocation(state, location, ctx);
  const resume = state.pending?.resume ?? state.step;
  return {
    state: { ...state, step: 'confirm-new-location', pending: { ...location, resume } },
    replies: [ask(texts.newLocation())],
  };
}

function onResult(state: ConversationState, result: EffectResult, ctx: FlowContext): Transition {
  const a = state.answers;
  switch (result.type) {
    case 'findme-link': {
      const next = result.link
        ? {
            ...state,
            findme: { url: result.link.url, expiresAt: result.link.expiresAt.toISOString() },
          }
        : state;
      if (next.step !== 'ask-location') return { state: next, replies: [] };
      return { state: next, replies: [locationRequest(next, ctx.now)] };
    }
    case 'geocoded': {
      const next = { ...state, answers: { ...a, address: a.address ?? result.address } };
      return next.step === 'confirm-location' ? enter(next, ctx) : { state: next, replies: [] };
    }
    case 'coverage': {
      const { viable, nearest, address } = result.answer;
      const next: ConversationState = {
        ...state,
        recheck: false,
        retry: undefined,
        answers: {
          ...a,
          address: a.address ?? address,
          coverage: {
            viable,
            boxName: nearest?.boxName,
            distanceMeters: nearest?.distanceMeters,
            freePorts: nearest?.freePorts,
          },
        },
      };
      if (viable && state.recheck) {
        return enter(advance(next, 'confirm-reservation'), ctx, [say(texts.recheckViable)]);
      }
      if (viable) {
        const intro = say(texts.viable(nearest?.distanceMeters));
        return enter(advance(next, 'offer-reservation'), ctx, [intro]);
      }
      const intro = say(state.recheck ? texts.recheckNotViable : texts.notViable);
      return enter(advance(next, 'offer-prospect'), ctx, [intro]);
    }
    case 'coverage-failed':
      return failed(state, 'coverage', texts.coverageTrouble, ctx);
    case 'reserved': {
      const r = result.answer;
      const reservation = { ...r, expiresAt: r.expiresAt.toISOString() };
      return {
        state: advance({ ...state, reservation, retry: undefined }, 'done'),
        replies: [say(texts.reserved(r))],
      };
    }
    case 'no-free-port': {
      if (!a.point) return enter(advance(state, 'ask-location'), ctx);
      return {
        state: { ...state, recheck: true },
        replies: [say(texts.noFreePort)],
        effect: { type: 'check-coverage', point: a.point },
      };
    }
    case 'reserve-failed':
      return failed(state, 'reserve', texts.reserveTrouble, ctx);
    case 'prospect-created':
      return {
        state: advance({ ...state, prospectId: result.id, retry: undefined }, 'done'),
        replies: [say(texts.prospectCreated)],
      };
    case 'prospect-failed':
      return failed(state, 'prospect', texts.prospectTrouble, ctx);
  }
}

function failed(
  state: ConversationState,
  retry: 'coverage' | 'reserve' | 'prospect',
  apology: string,
  ctx: FlowContext,
): Transition {
  return enter(advance({ ...state, retry }, 'retry'), ctx, [say(apology)]);
}

function locationOf(message: InboundMessage): ReceivedLocation | undefined {
  if (message.kind === 'location') {
    return { point: message.point, address: message.address, fromFindMe: false };
  }
  if (message.kind === 'findme-location') {
    return { point: message.point, address: message.address, fromFindMe: true };
  }
  return undefined;
}

function touch(state: ConversationState, ctx: FlowContext): ConversationState {
  return { ...state, updatedAt: ctx.now.toISOString() };
}

function elapsed(iso: string, ctx: FlowContext): number {
  return ctx.now.getTime() - Date.parse(iso);
}

/** The first word of the channel's display name, if it looks like a name. */
function firstName(senderName: string | undefined): string | undefined {
  const first = senderName?.trim().split(/\s+/)[0];
  return first && /^\p{L}{2,20}$/u.test(first) ? first : undefined;
}
