// The question each step asks. Used when entering a step and to re-prompt after anything the
// step did not understand, so the customer always knows what to answer.
import type { Effect, FlowContext } from './effects.js';
import type { OutboundMessage } from './messages.js';
import type { ConversationState, InstallAddress } from './state.js';
import type { OptionsText } from './texts.js';
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

export function locationRequest(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const url = validFindMeUrl(state, ctx.now);
  const t = ctx.texts;
  const text = t.askLocation(url !== undefined, ctx.addressSearch);
  const message: OutboundMessage = {
    kind: 'request-location',
    text,
    // whatsapp-cloud shows a native button and uses the how-to only in its plain-text fallback.
    ...(ctx.channel === 'whatsapp' || ctx.channel === 'whatsapp-cloud'
      ? { howTo: t.shareLocationHowTo }
      : {}),
  };
  return url ? { ...message, findmeUrl: url, findmeText: t.mapLinkIntro } : message;
}

/** Where the customer is, as they read it: the address we know, else the coordinates. */
export function placeOf(state: ConversationState, ctx: FlowContext): string {
  const { address, point, installAddress } = state.answers;
  if (installAddress) return formatInstallAddress(installAddress);
  if (address) return address;
  return point ? ctx.texts.coordinates(point.lat, point.lng) : '';
}

/** "Rua X, 100, casa 2 - Zona 01, Maringá (referência: perto da padaria)". */
export function formatInstallAddress(a: InstallAddress): string {
  const main = a.complement ? `${a.line} (${a.complement})` : a.line;
  return a.reference ? `${main}, ${a.reference}` : main;
}

export function promptFor(state: ConversationState, ctx: FlowContext): Prompt {
  const a = state.answers;
  const t = ctx.texts;
  switch (state.step) {
    case 'menu':
      return { replies: [ask(t.menu())] };
    case 'ask-location':
      if (!validFindMeUrl(state, ctx.now))
        return { replies: [], effect: { type: 'create-findme-link' } };
      return { replies: [locationRequest(state, ctx)] };
    case 'choose-address':
      return { replies: [ask(t.chooseAddress((state.choices ?? []).map((c) => c.label)))] };
    case 'offer-reservation':
      return { replies: [ask(t.offerReservation())] };
    case 'ask-address':
      return { replies: [addressPrompt(state, ctx)] };
    case 'ask-name':
    case 'prospect-name':
      return { replies: [say(t.askName)] };
    case 'ask-phone':
    case 'prospect-phone':
      return { replies: [phonePrompt(state, ctx)] };
    case 'ask-document':
      return { replies: [say(t.askDocument)] };
    case 'ask-email':
      return { replies: [ask(t.askEmail())] };
    case 'existing-reservation': {
      const e = state.existing;
      return {
        replies: [
          ask(
            t.existingReservation({
              expiresAt: new Date(e?.expiresAt ?? ctx.now),
              address: e?.address ?? '',
            }),
          ),
        ],
      };
    }
    case 'confirm-reservation':
      return {
        replies: [
          ask(
            t.summary({
              name: a.name ?? '',
              phone: a.phone ? formatPhone(a.phone) : '',
              document: a.document ? formatCpf(a.document) : '',
              email: a.email ?? t.emailNone,
              address: placeOf(state, ctx),
            }),
          ),
        ],
      };
    case 'choose-correction':
      return { replies: [ask(t.chooseCorrection())] };
    case 'offer-prospect':
      return { replies: [ask(t.offerProspect())] };
    case 'retry':
      return { replies: [ask(retryPrompt(state, ctx))] };
    case 'confirm-new-location':
      return { replies: [ask(t.newLocation())] };
    case 'resume':
      return { replies: [ask(t.resumeOffer(firstWord(a.name)))] };
    case 'done':
      return { replies: [say(doneText(state, ctx))] };
  }
}

export function firstWord(name: string | undefined): string | undefined {
  return name?.trim().split(/\s+/)[0] || undefined;
}

function addressPrompt(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const guess = state.answers.address;
  const t = ctx.texts;
  if (!guess) return say(t.askAddressBlank);
  // A guess without a house number needs the number; with one, a yes will do.
  return hasHouseNumber(guess) ? ask(t.askAddress(guess)) : say(t.askAddressNumber(guess));
}

/** "Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000" has one; the CEP does not count. */
export function hasHouseNumber(address: string): boolean {
  // Geocoder labels read "street, number - district, city - UF, CEP": look at the street part.
  const street = address.split(' - ')[0] ?? '';
  return /,\s*(\d{1,6}[a-z]?|s\/n)\b/i.test(street) || /\bn[º°o.]?\s*\d{1,6}\b/i.test(street);
}

function phonePrompt(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const { suggestedPhone, phoneDeclined } = state.answers;
  const t = ctx.texts;
  if (suggestedPhone && !phoneDeclined) return ask(t.confirmPhone(formatPhone(suggestedPhone)));
  return say(phoneDeclined ? t.askOtherPhone : t.askPhone);
}

function retryPrompt(state: ConversationState, ctx: FlowContext): OptionsText {
  const t = ctx.texts;
  switch (state.retry) {
    case 'reserve':
      return t.retryReserve();
    case 'prospect':
      return t.retryProspect();
    case 'coverage':
    case undefined:
      return t.retryCoverage();
  }
}

function doneText(state: ConversationState, ctx: FlowContext): string {
  const t = ctx.texts;
  if (state.reservation) {
    return t.alreadyReserved({ expiresAt: new Date(state.reservation.expiresAt) });
  }
  if (state.prospectId) return t.alreadyProspect;
  return t.outOfAreaEnd;
}
