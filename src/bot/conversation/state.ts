import type { GeoPoint } from './messages.js';

/** Where the conversation is: each step has one prompt and knows which inputs it accepts. */
export type StepName =
  | 'menu'
  | 'ask-location'
  /** A typed address matched several places (or one): the customer picks it. */
  | 'choose-address'
  | 'offer-reservation'
  /** The installation address: street and number, complement, reference point. */
  | 'ask-address'
  | 'ask-name'
  | 'ask-phone'
  | 'ask-document'
  | 'ask-email'
  /** The CPF already holds an active reservation: keep it, or move it to this point. */
  | 'existing-reservation'
  | 'confirm-reservation'
  | 'choose-correction'
  | 'offer-prospect'
  | 'prospect-name'
  | 'prospect-phone'
  /** A port failed; the customer may say "tentar de novo". */
  | 'retry'
  /** A location arrived while the bot was collecting data. */
  | 'confirm-new-location'
  /** Back after the idle timeout with an unfinished reservation: continue or start over. */
  | 'resume'
  | 'done';

export type RetryKind = 'coverage' | 'reserve' | 'prospect';

export interface StoredCoverage {
  viable: boolean;
  /** No box at all within the service-area distance: "not served yet". */
  outOfArea?: boolean;
  /** Out of area and the provider does not record such prospects. */
  noProspect?: boolean;
  boxName?: string;
  distanceMeters?: number;
  freePorts?: number;
}

export interface StoredReservation {
  /** The technical location, for sales (absent for a reservation found by CPF). */
  boxName?: string;
  splitterName?: string;
  port?: number;
  expiresAt: string;
  clientCode: string;
  /** The installation address as the customer reads it. */
  address?: string;
}

/** The installation address as the customer gave it (what the technician needs). */
export interface InstallAddress {
  /** Street and number, district, city: "Avenida Brasil, 1500 - Zona 01, Maringá - PR". */
  line: string;
  complement?: string;
  reference?: string;
}

/** A place a typed address matched, offered to the customer as an option. */
export interface AddressChoice {
  label: string;
  point: GeoPoint;
}

/** Everything the customer told us in this conversation. JSON-safe: it is stored as is. */
export interface Answers {
  point?: GeoPoint;
  address?: string;
  /** The location came from the FindME page, where the customer already confirmed it. */
  fromFindMe?: boolean;
  coverage?: StoredCoverage;
  name?: string;
  /** E.164 digits. */
  phone?: string;
  /** Phone offered from the chat itself (WhatsApp), waiting for the customer's yes. */
  suggestedPhone?: string;
  /** Customer said the suggested phone is not the one: ask them to type it. */
  phoneDeclined?: boolean;
  document?: string;
  email?: string;
  /** The customer chose not to give an e-mail. */
  emailSkipped?: boolean;
  /** Asked for and confirmed by the customer; `address` above is only the geocoder's guess. */
  installAddress?: InstallAddress;
  /** The location was typed (address, coordinates or map link), not shared. */
  typed?: boolean;
}

export interface ConversationState {
  version: 1;
  /** Changes whenever a new conversation starts; part of the reservation idempotency key. */
  id: string;
  step: StepName;
  /** Steps to return to on "voltar", most recent last. */
  history: StepName[];
  answers: Answers;
  startedAt: string;
  updatedAt: string;
  findme?: { url: string; expiresAt: string };
  /** Set while a person from the sales team owns the chat: the bot stays quiet. */
  handedOffAt?: string;
  /** Re-asking one field from the summary: go back to the summary after it. */
  editing?: boolean;
  /** The customer walked back with "voltar": ask the next questions again even if answered. */
  walkedBack?: boolean;
  /** Re-checking viability because the box filled between the check and the reservation. */
  recheck?: boolean;
  retry?: RetryKind;
  /** A location received mid-data, waiting for the customer to say whether to restart with it. */
  pending?: { point: GeoPoint; address?: string; fromFindMe: boolean; resume: StepName };
  reservation?: StoredReservation;
  prospectId?: string;
  /** Matches of a typed address, while the customer chooses one. */
  choices?: AddressChoice[];
  /** The CPF's active reservation found while collecting data (client code, expiry, address). */
  existing?: { clientCode: string; expiresAt: string; address?: string };
  /** The step to continue at when a returning customer says yes ('resume'). */
  resumeAt?: StepName;
}

export function newConversation(id: string, now: Date): ConversationState {
  const at = now.toISOString();
  return { version: 1, id, step: 'menu', history: [], answers: {}, startedAt: at, updatedAt: at };
}

const MAX_HISTORY = 20;
/** Steps that make no sense to return to with "voltar". */
const TRANSIENT: ReadonlySet<StepName> = new Set([
  'retry',
  'confirm-new-location',
  'resume',
  'done',
]);

/** Moves forward, remembering where we were for "voltar". */
export function advance(state: ConversationState, next: StepName): ConversationState {
  if (state.step === next) return state;
  const history = TRANSIENT.has(state.step) ? state.history : [...state.history, state.step];
  return { ...state, step: next, history: history.slice(-MAX_HISTORY) };
}

/** The previous step, or the menu when there is none. */
export function back(state: ConversationState): ConversationState {
  const history = [...state.history];
  const previous = history.pop() ?? 'menu';
  return { ...state, step: previous, history, editing: false };
}

/** Returns to an earlier step, dropping everything after it from the history. */
export function rewindTo(state: ConversationState, step: StepName): ConversationState {
  const at = state.history.lastIndexOf(step);
  const history = at >= 0 ? state.history.slice(0, at) : state.history;
  return { ...state, step, history, editing: false };
}
