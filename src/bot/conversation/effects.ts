import type { Channel, GeoPoint, InboundMessage, OutboundMessage } from './messages.js';
import type {
  CoverageAnswer,
  ExistingReservation,
  HandoffOutcome,
  HandoffRequest,
  MoveFromChat,
  ProspectFromChat,
  ReservationAnswer,
  ReserveFromChat,
} from './ports.js';
import type { Texts } from './texts.js';
import type { ConversationState } from './state.js';

/** A side effect the flow asks the engine to run; its outcome comes back as an EffectResult. */
export type Effect =
  | { type: 'create-findme-link' }
  | { type: 'reverse-geocode'; point: GeoPoint }
  | { type: 'search-address'; query: string }
  | { type: 'check-coverage'; point: GeoPoint }
  | { type: 'find-reservation'; document: string }
  | { type: 'reserve'; request: ReserveFromChat }
  | { type: 'move-reservation'; request: MoveFromChat }
  | { type: 'create-prospect'; request: ProspectFromChat }
  | { type: 'hand-off'; request: HandoffRequest };

export type EffectResult =
  | { type: 'findme-link'; link?: { url: string; expiresAt: Date } }
  | { type: 'geocoded'; address?: string }
  | { type: 'address-matches'; matches: Array<{ label: string; point: GeoPoint }> }
  | { type: 'address-search-failed' }
  | { type: 'reservation-found'; existing?: ExistingReservation }
  | { type: 'document-has-reservation'; existing: ExistingReservation }
  | { type: 'moved'; answer: ReservationAnswer }
  | { type: 'move-failed'; noFreePort: boolean }
  | { type: 'handed-off'; outcome?: HandoffOutcome }
  | { type: 'coverage'; answer: CoverageAnswer }
  | { type: 'coverage-failed' }
  | { type: 'reserved'; answer: ReservationAnswer }
  | { type: 'no-free-port' }
  | { type: 'reserve-failed' }
  | { type: 'prospect-created'; id: string }
  | { type: 'prospect-failed' };

export type FlowEvent = { type: 'inbound'; message: InboundMessage } | EffectResult;

export interface FlowContext {
  channel: Channel;
  chatId: string;
  now: Date;
  idleTimeoutMs: number;
  handoffTimeoutMs: number;
  /** Mints the id of a new conversation. */
  newId: () => string;
  texts: Texts;
  /** A geocoder that can search typed addresses is configured. */
  addressSearch: boolean;
}

export interface Transition {
  /** undefined: the conversation is over and its state is deleted. */
  state: ConversationState | undefined;
  replies: OutboundMessage[];
  effect?: Effect;
}
