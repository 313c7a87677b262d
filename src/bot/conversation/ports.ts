// What the conversation engine asks of the rest of the system. The engine never talks to the
// database, the viability core or the FindME service directly; it calls these ports.
import type { Channel, GeoPoint } from './messages.js';

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
  /**
   * Not viable and no box at all within the service-area distance: "not served yet".
   * `recordProspect: false` when the provider does not want such leads recorded.
   */
  outOfArea?: { recordProspect: boolean };
}

/** The installation address the customer confirmed, in parts (the technician's needs). */
export interface AddressParts {
  /** Street and number, district, city. */
  line: string;
  complement?: string;
  reference?: string;
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
  /** One line for the record: street and number, complement, district, city. */
  address?: string;
  installAddress?: AddressParts;
  name: string;
  /** E.164 digits, e.g. 5544999991234. */
  phone: string;
  /** CPF, 11 digits. */
  document: string;
  /** Optional: the customer may skip it. */
  email?: string;
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
  /** The installation address on record, as one line. */
  address?: string;
}

/** An active (unconfirmed, unexpired) reservation held by a CPF. */
export interface ExistingReservation {
  clientCode: string;
  expiresAt: Date;
  address?: string;
}

/** Moving a CPF's reservation to the point of this conversation. */
export interface MoveFromChat {
  clientCode: string;
  point: GeoPoint;
  address?: string;
  installAddress?: AddressParts;
  channel: Channel;
  chatId: string;
  conversationId: string;
}

export interface ProspectFromChat {
  point: GeoPoint;
  address?: string;
  installAddress?: AddressParts;
  /** No network within the service-area distance: sales sees it apart from normal leads. */
  outOfArea?: boolean;
  name: string;
  phone: string;
  channel: Channel;
  chatId: string;
  conversationId: string;
  /** Same contract as for reservations: one prospect per key. */
  idempotencyKey: string;
}

/** `reserve` found the CPF already holding an active reservation: shown instead of a second one. */
export class DocumentHasReservationError extends Error {
  constructor(readonly existing: ExistingReservation) {
    super('this CPF already holds an active reservation');
    this.name = 'DocumentHasReservationError';
  }
}

/**
 * Viability, reservation and prospects. `reserve` and `moveReservation` throw `NoFreePortError`
 * (src/errors.ts) when no free port is left; `reserve` throws DocumentHasReservationError when
 * the CPF already holds one; any other error is treated as a temporary failure.
 */
export interface SalesPort {
  checkCoverage(point: GeoPoint): Promise<CoverageAnswer>;
  /** The CPF's active reservation, if it has one. */
  findReservation(document: string): Promise<ExistingReservation | undefined>;
  reserve(request: ReserveFromChat): Promise<ReservationAnswer>;
  /** Moves the reservation to a free port near the new point, atomically (old port freed). */
  moveReservation(request: MoveFromChat): Promise<ReservationAnswer>;
  createProspect(request: ProspectFromChat): Promise<{ id: string }>;
}

/** Signed one-time links to the FindME map page; the page hands the location back later. */
export interface FindMeLinkPort {
  createLink(channel: Channel, chatId: string): Promise<{ url: string; expiresAt: Date }>;
}

export interface ReverseGeocoder {
  /** The street address at a point, or undefined when unknown. */
  reverse(point: GeoPoint): Promise<string | undefined>;
  /** Places matching a typed address (Brazil only), best first; absent = no address search. */
  search?(query: string): Promise<Array<{ label: string; point: GeoPoint }>>;
}

export interface HandoffRequest {
  channel: Channel;
  chatId: string;
  conversationId: string;
  /** The step the customer was at when asking for a person. */
  step: string;
  customerName?: string;
  /** What the customer wrote when asking ("quero falar com atendente sobre o boleto"). */
  text?: string;
  /** What the bot had collected (E.164 phone, CPF digits...), for the person taking over. */
  answers: {
    phone?: string;
    document?: string;
    email?: string;
    address?: string;
    viable?: boolean;
    reservationCode?: string;
  };
  at: Date;
}

/**
 * What the hand-off queue answers, so the customer is told the truth: their place in the queue,
 * or when the team opens. Nothing (void) = the default "someone will answer here" text.
 */
export interface HandoffOutcome {
  position?: number;
  opensAt?: Date;
}

/**
 * The hand-off port: told when a customer asks for a person, so the sales team can pick the
 * chat up. The bot stays quiet on that chat until `ConversationEngine.release` (or the hand-off
 * timeout). May be called again for the same conversation id after a crash: be idempotent.
 */
export interface HandoffListener {
  handedOff(request: HandoffRequest): Promise<HandoffOutcome | void>;
  /** The customer left while waiting ("menu", "cancelar") or the hand-off timed out. */
  ended?(chat: { channel: Channel; chatId: string }): Promise<void>;
}
