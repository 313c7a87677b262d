// What each step does with a text answer. Anything a step does not understand re-prompts it.
import {
  acceptLocation,
  checkCoverage,
  createProspect,
  enter,
  handOff,
  reprompt,
  reserve,
} from './actions.js';
import type { FlowContext, Transition } from './effects.js';
import { normalize, parseCommand, parseOption, parseYesNo, isGreeting } from './parse.js';
import { promptFor, say, validFindMeUrl } from './prompts.js';
import { advance, rewindTo, type ConversationState, type StepName } from './state.js';
import { texts } from './texts.js';
import { parseBrazilianPhone, parseCpf, parseEmail, parseFullName } from './validate.js';

export interface TextInput {
  text: string;
  senderPhone?: string;
}

export function onText(state: ConversationState, input: TextInput, ctx: FlowContext): Transition {
  const { text } = input;
  switch (state.step) {
    case 'menu':
      return onMenu(state, text, ctx);
    case 'ask-location':
      return onAskLocation(state, text, ctx);
    case 'confirm-location':
      return yesNo(state, text, ctx, {
        yes: () => checkCoverage(state, ctx),
        no: () =>
          enter({ ...rewindTo(state, 'ask-location'), answers: {} }, ctx, [
            say(texts.sendAnotherLocation),
          ]),
      });
    case 'offer-reservation':
      return yesNo(state, text, ctx, {
        yes: () => enter(advance(state, 'ask-name'), ctx),
        no: () => ({ state: undefined, replies: [say(texts.declinedReservation)] }),
      });
    case 'ask-name':
    case 'prospect-name':
      return onName(state, input, ctx);
    case 'ask-phone':
    case 'prospect-phone':
      return onPhoneText(state, text, ctx);
    case 'ask-document': {
      const document = parseCpf(text);
      if (!document) return { state, replies: [say(texts.documentInvalid)] };
      return afterField(withAnswers(state, { document }), 'ask-email', ctx);
    }
    case 'ask-email': {
      const email = parseEmail(text);
      if (!email) return { state, replies: [say(texts.emailInvalid)] };
      return afterField(withAnswers(state, { email }), 'confirm-reservation', ctx);
    }
    case 'confirm-reservation':
      return yesNo(state, text, ctx, {
        yes: () => reserve(state, ctx),
        no: () => enter(advance(state, 'choose-correction'), ctx),
      });
    case 'choose-correction':
      return onCorrection(state, text, ctx);
    case 'offer-prospect':
      return yesNo(state, text, ctx, {
        yes: () =>
          state.answers.name && state.answers.phone
            ? createProspect(state, ctx)
            : enter(advance(state, 'prospect-name'), ctx),
        no: () => ({ state: undefined, replies: [say(texts.declinedProspect)] }),
      });
    case 'retry':
      if (parseCommand(text) === 'retry' || parseYesNo(text) === true) return runRetry(state, ctx);
      return reprompt(state, texts.notUnderstood, ctx);
    case 'confirm-new-location':
      return onNewLocationAnswer(state, text, ctx);
    case 'done':
      return enter(state, ctx);
  }
}

/** Accepts a phone from a contact card the customer shared. */
export function onPhone(state: ConversationState, raw: string, ctx: FlowContext): Transition {
  const phone = parseBrazilianPhone(raw);
  if (!phone) return { state, replies: [say(texts.phoneInvalid)] };
  return phoneAccepted(state, phone, ctx);
}

export function isPhoneStep(step: StepName): boolean {
  return step === 'ask-phone' || step === 'prospect-phone';
}

function onMenu(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const labels = texts.menu().options.map((o) => o.label);
  const option = parseOption(text, labels);
  if (
    option === 1 ||
    /disponib|viabil|contrat|internet|fibra|plano|instala/.test(normalize(text))
  ) {
    return enter(advance(state, 'ask-location'), ctx, [say(texts.askLocationIntro)]);
  }
  if (option === 2) return handOff(state, ctx);
  if (isGreeting(text)) return enter(state, ctx);
  return reprompt(state, texts.answerWithNumber, ctx);
}

function onAskLocation(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const option = parseOption(text, ['app', 'mapa']);
  const url = validFindMeUrl(state, ctx.now);
  if (option === 1)
    return { state, replies: [{ kind: 'request-location', text: texts.shareInApp }] };
  if (option === 2) {
    if (url) return { state, replies: [say(texts.openMap(url))] };
    return { state, replies: [], effect: { type: 'create-findme-link' } };
  }
  return reprompt(state, texts.needLocation, ctx);
}

function onName(state: ConversationState, input: TextInput, ctx: FlowContext): Transition {
  const name = parseFullName(input.text);
  if (!name) return { state, replies: [say(texts.nameInvalid)] };
  const suggestedPhone =
    state.answers.suggestedPhone ?? parseBrazilianPhone(input.senderPhone ?? '');
  const next = withAnswers(state, { name, suggestedPhone });
  return afterField(next, state.step === 'ask-name' ? 'ask-phone' : 'prospect-phone', ctx);
}

function onPhoneText(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const { suggestedPhone, phoneDeclined } = state.answers;
  if (suggestedPhone && !phoneDeclined) {
    const yes = parseYesNo(text);
    if (yes === true) return phoneAccepted(state, suggestedPhone, ctx);
    if (yes === false) {
      return {
        state: withAnswers(state, { phoneDeclined: true }),
        replies: [say(texts.askOtherPhone)],
      };
    }
  }
  return onPhone(state, text, ctx);
}

function phoneAccepted(state: ConversationState, phone: string, ctx: FlowContext): Transition {
  const next = withAnswers(state, { phone });
  if (state.step === 'prospect-phone') return createProspect(next, ctx);
  return afterField(next, 'ask-document', ctx);
}

const CORRECTIONS: StepName[] = ['ask-name', 'ask-phone', 'ask-document', 'ask-email'];

function onCorrection(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const labels = texts.chooseCorrection().options.map((o) => o.label);
  const target = CORRECTIONS[(parseOption(text, labels) ?? 0) - 1];
  if (!target) return reprompt(state, texts.answerWithNumber, ctx);
  const editing = { ...state, editing: true };
  const next = target === 'ask-phone' ? withAnswers(editing, { phoneDeclined: true }) : editing;
  return enter(advance(next, target), ctx);
}

function onNewLocationAnswer(state: ConversationState, text: string, ctx: FlowContext): Transition {
  const pending = state.pending;
  if (!pending) return enter({ ...state, step: 'menu' }, ctx);
  return yesNo(state, text, ctx, {
    yes: () => acceptLocation(state, pending, ctx),
    no: () =>
      enter({ ...state, step: pending.resume, pending: undefined }, ctx, [say(texts.keepGoing)]),
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

/** After a field is answered: next question, or back to the summary when correcting one. */
function afterField(state: ConversationState, next: StepName, ctx: FlowContext): Transition {
  if (state.editing) {
    return enter({ ...rewindTo(state, 'confirm-reservation'), editing: false }, ctx);
  }
  return enter(advance(state, next), ctx);
}

function yesNo(
  state: ConversationState,
  text: string,
  ctx: FlowContext,
  on: { yes: () => Transition; no: () => Transition },
): Transition {
  const labels = promptFor(state, ctx.now).replies.flatMap((r) =>
    r.kind === 'text' && r.options ? r.options.map((o) => o.label) : [],
  );
  const option = parseOption(text, labels);
  const answer = option === undefined ? parseYesNo(text) : option === 1;
  if (answer === true) return on.yes();
  if (answer === false) return on.no();
  return reprompt(state, texts.answerWithNumber, ctx);
}

function withAnswers(
  state: ConversationState,
  patch: Partial<ConversationState['answers']>,
): ConversationState {
  return { ...state, answers: { ...state.answers, ...patch } };
}
