// The question each step asks. Used when entering a step and to re-prompt after anything the
// step did not understand, so the customer always knows what to answer.
import type { Effect } from './effects.js';
import type { OutboundMessage } from './messages.js';
import type { ConversationState } from './state.js';
import { texts, type OptionsText } from './texts.js';
import { formatCpf, formatPhone } from './validate.js';

export interface Prompt {
  replies: OutboundMessage[];
  effect?: Effect;
}

/** A FindME link is reused while it has at least this much life left. */
const LINK_MIN_LIFE_MS = 2 * 60_000;

export function say(text: string): OutboundMessage {
  return { kind: 'text', text };
}

export function ask(options: OptionsText): OutboundMessage {
  return { kind: 'text', text: options.text, options: options.options };
}

export function validFindMeUrl(state: ConversationState, now: Date): string | undefined {
  const link = state.findme;
  if (!link) return undefined;
  return Date.parse(link.expiresAt) - now.getTime() > LINK_MIN_LIFE_MS ? link.url : undefined;
}

export function locationRequest(state: ConversationState, now: Date): OutboundMessage {
  const url = validFindMeUrl(state, now);
  const text = texts.askLocation(url !== undefined);
  return url
    ? { kind: 'request-location', text, findmeUrl: url }
    : { kind: 'request-location', text };
}

export function placeOf(state: ConversationState): string {
  const { address, point } = state.answers;
  if (address) return address;
  return point ? texts.coordinates(point.lat, point.lng) : '';
}

export function promptFor(state: ConversationState, now: Date): Prompt {
  const a = state.answers;
  switch (state.step) {
    case 'menu':
      return { replies: [ask(texts.menu())] };
    case 'ask-location':
      if (!validFindMeUrl(state, now))
        return { replies: [], effect: { type: 'create-findme-link' } };
      return { replies: [locationRequest(state, now)] };
    case 'confirm-location':
      return { replies: [ask(texts.confirmLocation(placeOf(state)))] };
    case 'offer-reservation':
      return { replies: [ask(texts.offerReservation())] };
    case 'ask-name':
    case 'prospect-name':
      return { replies: [say(texts.askName)] };
    case 'ask-phone':
    case 'prospect-phone':
      return { replies: [phonePrompt(state)] };
    case 'ask-document':
      return { replies: [say(texts.askDocument)] };
    case 'ask-email':
      return { replies: [say(texts.askEmail)] };
    case 'confirm-reservation':
      return {
        replies: [
          ask(
            texts.summary({
              name: a.name ?? '',
              phone: a.phone ? formatPhone(a.phone) : '',
              document: a.document ? formatCpf(a.document) : '',
              email: a.email ?? '',
              place: placeOf(state),
            }),
          ),
        ],
      };
    case 'choose-correction':
      return { replies: [ask(texts.chooseCorrection())] };
    case 'offer-prospect':
      return { replies: [ask(texts.offerProspect())] };
    case 'retry':
      return { replies: [ask(retryPrompt(state))] };
    case 'confirm-new-location':
      return { replies: [ask(texts.newLocation())] };
    case 'done':
      return { replies: [say(doneText(state))] };
  }
}

function phonePrompt(state: ConversationState): OutboundMessage {
  const { suggestedPhone, phoneDeclined } = state.answers;
  if (suggestedPhone && !phoneDeclined) return ask(texts.confirmPhone(formatPhone(suggestedPhone)));
  return say(phoneDeclined ? texts.askOtherPhone : texts.askPhone);
}

function retryPrompt(state: ConversationState): OptionsText {
  switch (state.retry) {
    case 'reserve':
      return texts.retryReserve();
    case 'prospect':
      return texts.retryProspect();
    case 'coverage':
    case undefined:
      return texts.retryCoverage();
  }
}

function doneText(state: ConversationState): string {
  if (state.reservation) return texts.alreadyReserved(state.reservation);
  return texts.alreadyProspect;
}
