import type { Channel, GeoPoint, InboundMessage, OutboundMessage } from './messages.js';
import type {
  CoverageAnswer,
  ProspectFromChat,
  ReservationAnswer,
  ReserveFromChat,
} from './ports.js';
import type { ConversationState } from './state.js';

/** A side effect the flow asks the engine to run; its outcome comes back as an EffectResult. */
export type Effect =
  | { type: 'create-findme-link' }
  | { type: 'reverse-geocode'; point: GeoPoint }
  | { type: 'check-coverage'; point: GeoPoint }
  | { type: 'reserve'; request: ReserveFromChat }
  | { type: 'create-prospect'; request: ProspectFromChat };

export type EffectResult =
  | { type: 'findme-link'; link?: { url: string; expiresAt: Date } }
  | { type: 'geocoded'; address?: string }
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
}

export interface Transition {
  /** undefined: the conversation is over and its state is deleted. */
  state: ConversationState | undefined;
  replies: OutboundMessage[];
  effect?: Effect;
  /** The customer just asked for a person. */
  handedOff?: boolean;
}
