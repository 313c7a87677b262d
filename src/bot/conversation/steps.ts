// What each step does with a text answer. Anything a step does not understand re-prompts it.
import {
  acceptLocation,
  checkCoverage,
  createProspect,
  enter,
  handOff,
  moveReservation,
  reprompt,
  reserve,
} from './actions.js';
import type { FlowContext, Transition } from './effects.js';
import { parseTypedLocation, type TypedLocation } from './location-text.js';
import { isGreeting, isSkip, normalize, parseCommand, parseOption, parseYesNo } from './parse.js';
import { hasHouseNumber, promptFor, say, validFindMeUrl } from './prompts.js';
import {
  advance,
  newConversation,
  rewindTo,
  type ConversationState,
  type InstallAddress,
  type StepName,
} from './state.js';
import { parseBrazilianPhone, parseCpf, parseEmail, parseFullName } from './validate.js';

export interface TextInput {
  text: string;
  senderPhone?: string;
}

export function onText(state: ConversationState, input: TextInput, ctx: FlowContext): Transition {
  const { text } = input;
  const t = ctx.texts;
  switch (state.step) {
    case 'menu':
      return onMenu(state, text, ctx);
    case 'ask-location':
      return onAskLocation(state, text, ctx);
    case 'choose-address':
      return onChooseAddress(state, text, ctx);
    case 'offer-reservation':
      return threeWay(state, text, ctx, {
        yes: () => nextForReservation(state, ctx),
        no: () => ({ state: undefined, replies: [say(t.declinedReservation)] }),
      });
    case 'offer-prospect':
      return threeWay(state, text, ctx, {
        yes: () => nextForProspect(state, ctx),
        no: () => ({ state: undefined, replies: [say(t.declinedProspect)] }),
      });
    case 'ask-address':
      return onAddress(state, text, ctx);
    case 'ask-name':
    case 'prospect-name':
      return onName(state, input, ctx);
    case 'ask-phone':
    case 'prospect-phone':
      return onPhoneText(state, text, ctx);
    case 'ask-document': {
      const document = parseCpf(text);
      if (!document) return { state, replies: [say(t.documentInvalid)] };
      // A CPF that already holds a reservation is shown it instead of getting a second one.
      return {
        state: withAnswers(state, { document }),
        replies: [],
        effect: { type: 'find-reservation', document },
      };
    }
    case 'ask-email': {
      const email = parseEmail(text);
      if (email) return afterField(withAnswers(state, { email, emailSkipped: false }), ctx);
      if (isSkip(text) || parseOption(text, [t.raw('askEmailSkip')]) === 1) {
        return afterField(withAnswers(state, { email: undefined, emailSkipped: true }), ctx);
      }
      return { state, replies: [say(t.emailInvalid)] };
    }
    case 'existing-reservation': {
      const option = parseOption(text, optionLabels(state, ctx));
      if (option === 1) {
        const e = state.existing;
        const reservation = e
          ? { clientCode: e.clientCode, expiresAt: e.expiresAt, address: e.address }
          : undefined;
        return {
          state: advance({ ...state, reservation, existing: undefined }, 'done'),
          replies: [say(t.existingKept)],
        };
      }
      if (option === 2) return moveReservation(state, ctx);
      return reprompt(state, t.answerWithNumber, ctx);
    }
    case 'confirm-reservation':
      return yesNo(state, text, ctx, {
        yes: () => reserve(state, ctx),
        no: () => enter(advance(state, 'choose-correction'), ctx),
      });
    case 'choose-correction':
      return onCorrection(state, text, ctx);
    case 'retry':
      if (
        parseCommand(text) === 'retry' ||
        parseYesNo(text) === true ||
        parseOption(text, ['x']) === 1
      )
        return runRetry(state, ctx);
      return reprompt(state, t.notUnderstood, ctx);
    case 'confirm-new-location':
      return onNewLocationAnswer(state, text, ctx);
    case 'resume':
      return yesNo(state, text, ctx, {
        yes: () =>
          enter({ ...state, step: state.resumeAt ?? 'menu', resumeAt: undefined }, ctx, [
            say(t.keepGoing),
          ]),
        no: () => enter(newConversation(ctx.newId(), ctx.now), ctx),
      });
    case 'done': {
      const typed = parseTypedLocation(text, false);
      if (typed) return onTypedLocation(newConversation(ctx.newId(), ctx.now), typed, ctx);
      return enter(state, ctx);
    }
  }
}

/** Accepts a phone from a contact card the customer shared. */
export function onPhone(state: ConversationState, raw: string, ctx: FlowContext): Transition {
  const phone = parseBrazilianPhone(raw);
  if (!phone) return { state, replies: [say(ctx.texts.phoneInvalid)] };
  return phoneAccepted(state, phone, ctx);
}

export function isPhoneStep(step: StepName): boolean {
  return step === 'ask-phone' || step === 'prospect-phone';
}

/** The next question of a reservation: the first answer still missing, then the summary. */
export function nextForReservation(state: ConversationState, ctx: FlowContext): Transition {
  const a = state.answers;
  const next: StepName = !a.installAddress
    ? 'ask-address'
    : !a.name
      ? 'ask-name'
      : !a.phone
        ? 'ask-phone'
        : !a.document
          ? 'ask-document'
          : !a.email && !a.emailSkipped
            ? 'ask-email'
            : 'confirm-reservation';
  return enter(advance(state, next), ctx);
}

/** The next question of a lead, then the lead itself. */
export function nextForProspect(state: ConversationState, ctx: FlowContext): Transition {
  const a = state.answers;
  if (!a.installAddress) return enter(advance(state, 'ask-address'), ctx);
  if (!a.name) return enter(advance(state, 'prospect-name'), ctx);
  if (!a.phone) return enter(advance(state, 'prospect-phone'), ctx);
  return createProspect(state, ctx);
}

/** After the CPF (and no reservation found for it): on with the reservation. */
export function afterDocument(state: ConversationState, ctx: FlowContext): Transition {
  return afterField(state, ctx);
}

const COVERAGE_WORDS =
  /disponib|viabil|contrat|internet|fibra|plano|instala|consult|cobertura|tem fibra|chega/;

function onMenu(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const labels = ctx.texts.menu().options.map((o) => o.label);
  const typed = parseTypedLocation(text, false);
  if (typed) return onTypedLocation(advance(state, 'ask-location'), typed, ctx);
  const option = parseOption(text, labels);
  if (option === 1 || (option === undefined && COVERAGE_WORDS.test(normalize(text)))) {
    return enter(advance(state, 'ask-location'), ctx, [say(ctx.texts.askLocationIntro)]);
  }
  if (option === 2) return handOff(state, ctx, text);
  if (isGreeting(text)) return enter(state, ctx);
  return reprompt(state, ctx.texts.answerWithNumber, ctx);
}

function onAskLocation(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const t = ctx.texts;
  const option = parseOption(text, ['app', 'mapa']);
  const url = validFindMeUrl(state, ctx.now);
  if (option === 1) return { state, replies: [{ kind: 'request-location', text: t.shareInApp }] };
  if (option === 2) {
    if (url) return { state, replies: [say(t.openMap(url, ctx.addressSearch))] };
    return { state, replies: [], effect: { type: 'create-findme-link' } };
  }
  if (isGreeting(text)) return enter(state, ctx);
  const typed = parseTypedLocation(text, true);
  if (typed) return onTypedLocation(state, typed, ctx);
  return reprompt(state, t.needLocation(ctx.addressSearch), ctx);
}

/** A location typed as text: a point goes on, an address is searched, a bad link re-prompts. */
export function onTypedLocation(
  state: ConversationState,
  typed: TypedLocation,
  ctx: FlowContext,
): Transition {
  const t = ctx.texts;
  const at: ConversationState = { ...state, step: 'ask-location' };
  switch (typed.kind) {
    case 'point':
      return acceptLocation(at, { point: typed.point, fromFindMe: false, typed: true }, ctx);
    case 'address':
      if (!ctx.addressSearch) return reprompt(at, t.needLocation(false), ctx);
      return { state: at, replies: [], effect: { type: 'search-address', query: typed.query } };
    case 'short-link':
      return reprompt(at, t.shortLink, ctx);
    case 'unreadable-link':
      return reprompt(at, t.mapLinkUnreadable, ctx);
  }
}

function onChooseAddress(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const choices = state.choices ?? [];
  const labels = optionLabels(state, ctx);
  const option = parseOption(text, labels);
  const chosen = option !== undefined ? choices[option - 1] : undefined;
  if (chosen) {
    return acceptLocation(
      { ...state, choices: undefined },
      { point: chosen.point, address: chosen.label, fromFindMe: false, typed: true },
      ctx,
    );
  }
  if (option === labels.length || parseYesNo(text) === false) {
    return enter({ ...rewindTo(state, 'ask-location'), choices: undefined }, ctx, [
      say(ctx.texts.sendAnotherLocation),
    ]);
  }
  const typed = parseTypedLocation(text, true);
  if (typed) return onTypedLocation(state, typed, ctx);
  return reprompt(state, ctx.texts.answerWithNumber, ctx);
}

const REFERENCE =
  /^(perto|proximo|em frente|frente|ao lado|do lado|atras|esquina|referencia|ref|depois|antes|entre|vizinho|na rua|no final|final da|fim da|ponto)\b/;

/** Splits what follows the street and number into complement and reference point. */
function extras(parts: string[]): Pick<InstallAddress, 'complement' | 'reference'> {
  const complement: string[] = [];
  const reference: string[] = [];
  for (const raw of parts) {
    const part = raw.trim().replace(/^(e|,)\s+/i, '');
    if (!part) continue;
    (REFERENCE.test(normalize(part)) ? reference : complement).push(part);
  }
  return {
    complement: complement.join(', ').slice(0, 100) || undefined,
    reference: reference.join(', ').slice(0, 150) || undefined,
  };
}

function splitParts(text: string): string[] {
  return text
    .split(/\s*[,;]\s*|\s+-\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The installation address: "sim" (and maybe "casa 2, perto da padaria") keeps the guess from the
 * map; a number completes a guess that lacks one; anything else is the address as typed.
 */
export function parseInstallAddress(text: string, guess?: string): InstallAddress | undefined {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (!trimmed || trimmed.length > 300) return undefined;
  if (guess && hasHouseNumber(guess)) {
    const plain = trimmed.normalize('NFD').replace(/\p{M}/gu, '');
    const m = /^(sim|ss|s|isso|correto|certo|ok|esta certo|ta certo|exato)\b[\s,.!;:-]*/i.exec(
      plain,
    );
    if (m || parseYesNo(trimmed) === true) {
      const rest = m ? trimmed.slice(m[0].length) : '';
      return { line: guess, ...extras(splitParts(rest)) };
    }
  }
  if (guess && !hasHouseNumber(guess)) {
    const number = /^(?:n[º°o.]?\s*)?(\d{1,6}[a-z]?|s\/?n)\b[\s,.;-]*/i.exec(trimmed);
    if (number?.[1]) {
      const [street = guess, ...rest] = guess.split(' - ');
      const line = [
        `${street}, ${number[1].toLowerCase() === 'sn' ? 's/n' : number[1]}`,
        ...rest,
      ].join(' - ');
      return { line, ...extras(splitParts(trimmed.slice(number[0].length))) };
    }
  }
  // Typed in full: street, number, then complement and reference.
  if (!/\p{L}{3,}/u.test(trimmed) || !/\d|s\/n/i.test(trimmed)) return undefined;
  const parts = splitParts(trimmed);
  const numberAt = parts.findIndex(
    (p) => /^(n[º°o.]?\s*)?(\d{1,6}[a-z]?|s\/n)$/i.test(p) || /\s\d{1,6}[a-z]?$/i.test(p),
  );
  const cut = numberAt >= 0 ? numberAt + 1 : 1;
  const line = parts.slice(0, cut).join(', ').slice(0, 200);
  return { line, ...extras(parts.slice(cut)) };
}

function onAddress(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const guess = state.answers.address;
  const installAddress = parseInstallAddress(text, guess);
  if (installAddress) return afterField(withAnswers(state, { installAddress }), ctx);
  if (guess && parseYesNo(text) === false) {
    return {
      state: withAnswers(state, { address: undefined }),
      replies: [say(ctx.texts.askAddressBlank)],
    };
  }
  return { state, replies: [say(ctx.texts.addressInvalid)] };
}

function onName(state: ConversationState, input: TextInput, ctx: FlowContext): Transition {
  const name = parseFullName(input.text);
  if (!name) return { state, replies: [say(ctx.texts.nameInvalid)] };
  const suggestedPhone =
    state.answers.suggestedPhone ?? parseBrazilianPhone(input.senderPhone ?? '');
  return afterField(withAnswers(state, { name, suggestedPhone }), ctx);
}

function onPhoneText(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const { suggestedPhone, phoneDeclined } = state.answers;
  if (suggestedPhone && !phoneDeclined) {
    const yes =
      parseOption(text, optionLabels(state, ctx)) ??
      (parseYesNo(text) === false ? 2 : parseYesNo(text) ? 1 : undefined);
    if (yes === 1) return phoneAccepted(state, suggestedPhone, ctx);
    if (yes === 2) {
      return {
        state: withAnswers(state, { phoneDeclined: true }),
        replies: [say(ctx.texts.askOtherPhone)],
      };
    }
  }
  return onPhone(state, text, ctx);
}

function phoneAccepted(state: ConversationState, phone: string, ctx: FlowContext): Transition {
  const next = withAnswers(state, { phone });
  if (state.step === 'prospect-phone') return createProspect(next, ctx);
  return afterField(next, ctx);
}

const CORRECTIONS: StepName[] = [
  'ask-name',
  'ask-phone',
  'ask-document',
  'ask-email',
  'ask-address',
];

function onCorrection(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const target = CORRECTIONS[(parseOption(text, optionLabels(state, ctx)) ?? 0) - 1];
  if (!target) return reprompt(state, ctx.texts.answerWithNumber, ctx);
  const editing = { ...state, editing: true };
  const next =
    target === 'ask-phone'
      ? withAnswers(editing, { phoneDeclined: true })
      : target === 'ask-address'
        ? withAnswers(editing, { installAddress: undefined })
        : editing;
  return enter(advance(next, target), ctx);
}

function onNewLocationAnswer(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const pending = state.pending;
  if (!pending) return enter({ ...state, step: 'menu' }, ctx);
  return yesNo(state, text, ctx, {
    yes: () => acceptLocation(state, pending, ctx),
    no: () =>
      enter({ ...state, step: pending.resume, pending: undefined }, ctx, [
        say(ctx.texts.keepGoing),
      ]),
  });
}

function runRetry(state: ConversationState, ctx: FlowContext): Transition {
  switch (state.retry) {
    case 'reserve':
      return reserve(state, ctx);
    case 'prospect':
      return createProspect(state, ctx);
    case 'coverage':
    case undefined:
      return checkCoverage(state, ctx);
  }
}

const RESERVATION_ORDER: StepName[] = [
  'ask-address',
  'ask-name',
  'ask-phone',
  'ask-document',
  'ask-email',
  'confirm-reservation',
];
const PROSPECT_ORDER: StepName[] = ['ask-address', 'prospect-name', 'prospect-phone'];

/**
 * After a field is answered: back to the summary when correcting one; the very next question
 * after a "voltar"; else the first answer still missing (kept answers are not asked twice).
 */
function afterField(state: ConversationState, ctx: FlowContext): Transition {
  if (state.editing) {
    return enter({ ...rewindTo(state, 'confirm-reservation'), editing: false }, ctx);
  }
  const prospect = state.answers.coverage?.viable === false;
  if (state.walkedBack) {
    const order = prospect ? PROSPECT_ORDER : RESERVATION_ORDER;
    const next = order[order.indexOf(state.step) + 1];
    if (next) return enter(advance(state, next), ctx);
    if (prospect) return createProspect({ ...state, walkedBack: false }, ctx);
  }
  return prospect ? nextForProspect(state, ctx) : nextForReservation(state, ctx);
}

function optionLabels(state: ConversationState, ctx: FlowContext): string[] {
  return promptFor(state, ctx).replies.flatMap((r) =>
    r.kind === 'text' && r.options ? r.options.map((o) => o.label) : [],
  );
}

function yesNo(
  state: ConversationState,
  text: string,
  ctx: FlowContext,
  on: { yes: () => Transition; no: () => Transition },
): Transition {
  const option = parseOption(text, optionLabels(state, ctx));
  const answer = option === undefined ? parseYesNo(text) : option === 1;
  if (answer === true) return on.yes();
  if (answer === false) return on.no();
  return reprompt(state, ctx.texts.answerWithNumber, ctx);
}

/** Yes, no, or "the place is wrong" (option 3): asks for the location again. */
function threeWay(
  state: ConversationState,
  text: string,
  ctx: FlowContext,
  on: { yes: () => Transition; no: () => Transition },
): Transition {
  const option = parseOption(text, optionLabels(state, ctx));
  if (
    option === 3 ||
    (option === undefined && /\b(errad|nao e aqui|outro lugar|local)/.test(normalize(text)))
  ) {
    const again = { ...rewindTo(state, 'ask-location'), answers: keepIdentity(state) };
    return enter(again, ctx, [say(ctx.texts.sendAnotherLocation)]);
  }
  const answer = option === undefined ? parseYesNo(text) : option === 1;
  if (answer === true) return on.yes();
  if (answer === false) return on.no();
  // A new address typed instead of an answer: check it.
  const typed = parseTypedLocation(text, false);
  if (typed) return onTypedLocation(state, typed, ctx);
  return reprompt(state, ctx.texts.answerWithNumber, ctx);
}

function keepIdentity(state: ConversationState): ConversationState['answers'] {
  const { name, phone, suggestedPhone, phoneDeclined, document, email, emailSkipped } =
    state.answers;
  return { name, phone, suggestedPhone, phoneDeclined, document, email, emailSkipped };
}

function withAnswers(
  state: ConversationState,
  patch: Partial<ConversationState['answers']>,
): ConversationState {
  return { ...state, answers: { ...state.answers, ...patch } };
}
