// What the conversation engine asks of the rest of the system. The engine never talks to the
// database, the viability core or the FindME service directly; it calls these ports.
import type { Channel, GeoPoint, OutboundMessage } from './messages.js';

export interface NearestBox {
  boxName: string;
  distanceMeters: number;
  freePorts: number;
}

export interface CoverageAnswer {
  viable: boolean;
  /** The nearest viable box, when there is one. */
  nearest?: NearestBox;
  /** The point's address, when the coverage side knows it. */
  address?: string;
}

/** The answers the customer typed, as collected (normalised: phone E.164 digits, CPF digits). */
export interface CollectedAnswers {
  name: string;
  phone: string;
  document?: string;
  email?: string;
}

export interface ReserveFromChat {
  point: GeoPoint;
  address?: string;
  name: string;
  /** E.164 digits, e.g. 5544999991234. */
  phone: string;
  /** CPF, 11 digits. */
  document: string;
  email: string;
  channel: Channel;
  chatId: string;
  conversationId: string;
  /**
   * The same for every attempt of one conversation: the port must return the reservation it
   * already made for this key instead of making a second one (a retry after a timeout, a
   * restart between reserving and saving the state).
   */
  idempotencyKey: string;
  answers: CollectedAnswers;
}

export interface ReservationAnswer {
  boxName: string;
  splitterName: string;
  /** 1-based splitter output port. */
  port: number;
  expiresAt: Date;
  clientCode: string;
}

export interface ProspectFromChat {
  point: GeoPoint;
  address?: string;
  name: string;
  phone: string;
  channel: Channel;
  chatId: string;
  conversationId: string;
  /** Same contract as for reservations: one prospect per key. */
  idempotencyKey: string;
}

/**
 * Viability, reservation and prospects. `reserve` throws `NoFreePortError` (src/errors.ts) when
 * the box filled meanwhile; any other error is treated as a temporary failure.
 */
export interface SalesPort {
  checkCoverage(point: GeoPoint): Promise<CoverageAnswer>;
  reserve(request: ReserveFromChat): Promise<ReservationAnswer>;
  createProspect(request: ProspectFromChat): Promise<{ id: string }>;
}

/** Signed one-time links to the FindME map page; the page hands the location back later. */
export interface FindMeLinkPort {
  createLink(channel: Channel, chatId: string): Promise<{ url: string; expiresAt: Date }>;
}

export interface ReverseGeocoder {
  /** The street address at a point, or undefined when unknown. */
  reverse(point: GeoPoint): Promise<string | undefined>;
}

export interface HandoffRequest {
  channel: Channel;
  chatId: string;
  conversationId: string;
  /** The step the customer was at when asking for a person. */
  step: string;
  customerName?: string;
  /** What the customer told the bot so far, for the person who picks the chat up. */
  answers?: Record<string, unknown>;
}

/** Told when a customer asks for a person, so the sales team can pick the chat up. */
export interface HandoffListener {
  /** Messages returned replace the bot's generic hand-off reply (e.g. the queue position). */
  handedOff(request: HandoffRequest): Promise<OutboundMessage[] | void>;
  /** The customer left the hand-off ("menu", "cancelar") or it timed out: the bot is back. */
  ended?(chat: { channel: Channel; chatId: string }): Promise<void>;
}
