// The sales conversation as a pure state machine: (state, event) → (state, replies, effect).
// No I/O here: effects are requested and their results come back as events (see engine.ts).
import { acceptLocation, enter, handOff, reprompt, type ReceivedLocation } from './actions.js';
import type { EffectResult, FlowContext, FlowEvent, Transition } from './effects.js';
import type { InboundMessage, OutboundMessage } from './messages.js';
import { parseCommand, type Command } from './parse.js';
import { ask, firstWord, locationRequest, placeOf, say } from './prompts.js';
import { advance, back, newConversation, type ConversationState, type StepName } from './state.js';
import { afterDocument, isPhoneStep, onPhone, onText } from './steps.js';

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
    if (resumable(state)) return offerResume(touch(state, ctx), message, ctx);
    if (state.step !== 'done') notes = [say(ctx.texts.expired)];
    state = undefined;
  }
  const t = state ? continueConversation(touch(state, ctx), message, ctx) : start(message, ctx);
  return { ...t, replies: [...notes, ...t.replies] };
}

/** Back after the idle timeout, half-way through a reservation or a lead. */
function resumable(state: ConversationState): boolean {
  if (state.reservation || state.prospectId || !state.answers.point) return false;
  return !['menu', 'ask-location', 'choose-address', 'done', 'resume'].includes(state.step);
}

function offerResume(
  state: ConversationState,
  message: InboundMessage,
  ctx: FlowContext,
): Transition {
  const location = locationOf(message);
  if (location) return acceptLocation(state, location, ctx);
  if (message.kind === 'text') {
    const command = parseCommand(message.text);
    if (command === 'cancel' || command === 'human' || command === 'menu') {
      return onCommand(state, command, ctx, message.text);
    }
  }
  const name = firstWord(state.answers.name) ?? firstName(message.senderName);
  const next: ConversationState = { ...state, step: 'resume', resumeAt: state.step };
  return { state: next, replies: [ask(ctx.texts.resumeOffer(name))] };
}

function start(message: InboundMessage, ctx: FlowContext): Transition {
  const fresh = newConversation(ctx.newId(), ctx.now);
  const location = locationOf(message);
  if (location) return acceptLocation(fresh, location, ctx);
  const greeting = [say(ctx.texts.greeting(firstName(message.senderName)))];
  if (message.kind === 'text') {
    const command = parseCommand(message.text);
    if (command === 'cancel') return { state: undefined, replies: [say(ctx.texts.cancelled)] };
    if (command === 'human') return handOff(fresh, ctx, message.text);
    // "oi, tem fibra na Rua X?" and the like go straight to the answer.
    const direct = onText(fresh, message, ctx);
    if (direct.state?.step !== 'menu' || direct.effect) {
      return { ...direct, replies: [...greeting, ...direct.replies] };
    }
  } else {
    greeting.push(say(ctx.texts.unsupportedMedia));
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
      if (command && command !== 'retry') return onCommand(state, command, ctx, message.text);
      return onText(state, message, ctx);
    }
    case 'location':
    case 'findme-location':
      return onLocation(state, locationOf(message) as ReceivedLocation, ctx);
    case 'contact':
      if (isPhoneStep(state.step)) return onPhone(state, message.phone, ctx);
      return reprompt(state, ctx.texts.contactNotNeeded, ctx);
    case 'unsupported':
      return reprompt(state, ctx.texts.unsupportedMedia, ctx);
  }
}

function onCommand(
  state: ConversationState,
  command: Command,
  ctx: FlowContext,
  text: string,
): Transition {
  switch (command) {
    case 'menu':
      return enter(newConversation(ctx.newId(), ctx.now), ctx);
    case 'cancel':
      return { state: undefined, replies: [say(ctx.texts.cancelled)] };
    case 'human':
      return handOff(state, ctx, text);
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
  return enter({ ...back(state), recheck: false, retry: undefined, walkedBack: true }, ctx);
}

/** Steps where a new location would throw away data the customer typed: ask first. */
const COLLECTING: ReadonlySet<StepName> = new Set([
  'ask-address',
  'ask-name',
  'ask-phone',
  'ask-document',
  'ask-email',
  'existing-reservation',
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
    replies: [ask(ctx.texts.newLocation())],
  };
}

function onResult(state: ConversationState, result: EffectResult, ctx: FlowContext): Transition {
  const a = state.answers;
  const t = ctx.texts;
  switch (result.type) {
    case 'findme-link': {
      const next = result.link
        ? {
            ...state,
            findme: { url: result.link.url, expiresAt: result.link.expiresAt.toISOString() },
          }
        : state;
      if (next.step !== 'ask-location') return { state: next, replies: [] };
      return { state: next, replies: [locationRequest(next, ctx)] };
    }
    case 'geocoded': {
      const next = { ...state, answers: { ...a, address: a.address ?? result.address } };
      if (next.step === 'ask-location' && a.point && !a.coverage) {
        const intro = a.fromFindMe ? [say(t.fromMap(placeOf(next, ctx)))] : [];
        return {
          state: next,
          replies: [...intro, say(t.checking)],
          effect: { type: 'check-coverage', point: a.point },
        };
      }
      return { state: next, replies: [] };
    }
    case 'address-matches': {
      if (result.matches.length === 0) {
        return reprompt({ ...state, step: 'ask-location' }, t.addressNotFound, ctx);
      }
      // One match: straight to coverage; the answer shows the place, with "not this place".
      const [only, ...others] = result.matches;
      if (only && others.length === 0) {
        return acceptLocation(
          state,
          { point: only.point, address: only.label, fromFindMe: false, typed: true },
          ctx,
        );
      }
      const choices = result.matches.slice(0, 5);
      return enter(advance({ ...state, choices }, 'choose-address'), ctx);
    }
    case 'address-search-failed':
      return reprompt({ ...state, step: 'ask-location' }, t.searchTrouble, ctx);
    case 'coverage': {
      const { viable, nearest, address, outOfArea } = result.answer;
      const next: ConversationState = {
        ...state,
        recheck: false,
        retry: undefined,
        answers: {
          ...a,
          address: a.address ?? address,
          coverage: {
            viable,
            outOfArea: outOfArea !== undefined,
            noProspect: outOfArea?.recordProspect === false,
            boxName: nearest?.boxName,
            distanceMeters: nearest?.distanceMeters,
            freePorts: nearest?.freePorts,
          },
        },
      };
      const place = placeOf(next, ctx);
      if (viable && state.recheck) {
        return enter(advance(next, 'confirm-reservation'), ctx, [say(t.recheckViable)]);
      }
      if (viable) return enter(advance(next, 'offer-reservation'), ctx, [say(t.viable(place))]);
      if (outOfArea) {
        const intro = say(t.outOfArea(place));
        if (!outOfArea.recordProspect) {
          return { state: advance(next, 'done'), replies: [intro, say(t.outOfAreaEnd)] };
        }
        return enter(advance(next, 'offer-prospect'), ctx, [intro]);
      }
      const intro = say(state.recheck ? t.recheckNotViable : t.notViable(place));
      return enter(advance(next, 'offer-prospect'), ctx, [intro]);
    }
    case 'coverage-failed':
      return failed(state, 'coverage', t.coverageTrouble, ctx);
    case 'reservation-found':
      if (result.existing) return showExisting(state, result.existing, ctx);
      return afterDocument(state, ctx);
    case 'document-has-reservation':
      return showExisting(state, result.existing, ctx);
    case 'reserved':
    case 'moved': {
      const r = result.answer;
      const reservation = {
        boxName: r.boxName,
        splitterName: r.splitterName,
        port: r.port,
        clientCode: r.clientCode,
        expiresAt: r.expiresAt.toISOString(),
        address: r.address ?? placeOf(state, ctx),
      };
      const text =
        result.type === 'moved'
          ? t.moved({ expiresAt: r.expiresAt, address: reservation.address })
          : t.reserved({ expiresAt: r.expiresAt, address: reservation.address });
      return {
        state: advance({ ...state, reservation, retry: undefined, existing: undefined }, 'done'),
        replies: [say(text)],
      };
    }
    case 'move-failed': {
      if (!result.noFreePort) return reprompt(state, t.reserveTrouble, ctx);
      const kept = keptReservation(state);
      return {
        state: advance({ ...state, reservation: kept, existing: undefined }, 'done'),
        replies: [say(t.moveNotViable)],
      };
    }
    case 'no-free-port': {
      if (!a.point) return enter(advance(state, 'ask-location'), ctx);
      return {
        state: { ...state, recheck: true },
        replies: [say(t.noFreePort)],
        effect: { type: 'check-coverage', point: a.point },
      };
    }
    case 'reserve-failed':
      return failed(state, 'reserve', t.reserveTrouble, ctx);
    case 'prospect-created':
      return {
        state: advance({ ...state, prospectId: result.id, retry: undefined }, 'done'),
        replies: [say(t.prospectCreated)],
      };
    case 'prospect-failed':
      return failed(state, 'prospect', t.prospectTrouble, ctx);
    case 'handed-off':
      return { state, replies: [say(t.handoff(result.outcome))] };
  }
}

function showExisting(
  state: ConversationState,
  existing: { clientCode: string; expiresAt: Date; address?: string },
  ctx: FlowContext,
): Transition {
  const next: ConversationState = {
    ...state,
    editing: false,
    existing: { ...existing, expiresAt: existing.expiresAt.toISOString() },
  };
  return enter(advance(next, 'existing-reservation'), ctx);
}

/** The customer keeps the reservation their CPF already holds. */
export function keptReservation(state: ConversationState): ConversationState['reservation'] {
  const e = state.existing;
  return e ? { clientCode: e.clientCode, expiresAt: e.expiresAt, address: e.address } : undefined;
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
