// Test doubles for the engine's ports. They record every call so tests assert what the engine
// asked for; results are scripted per test.
import { randomUUID } from 'node:crypto';
import { NoFreePortError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { formatMenu } from '../../src/bot/shared/menu.js';
import { ConversationEngine } from '../../src/bot/conversation/engine.js';
import { MemoryConversationStore } from '../../src/bot/conversation/memory-store.js';
import type {
  Channel,
  GeoPoint,
  InboundMessage,
  OutboundMessage,
} from '../../src/bot/conversation/messages.js';
import type {
  CoverageAnswer,
  ExistingReservation,
  FindMeLinkPort,
  MoveFromChat,
  HandoffListener,
  HandoffOutcome,
  HandoffRequest,
  ProspectFromChat,
  ReservationAnswer,
  ReserveFromChat,
  ReverseGeocoder,
  SalesPort,
} from '../../src/bot/conversation/ports.js';
import type { ConversationStore } from '../../src/bot/conversation/store.js';

export const VIABLE: CoverageAnswer = {
  viable: true,
  nearest: { boxName: 'CTO-07', distanceMeters: 84.4, freePorts: 3 },
};
export const NOT_VIABLE: CoverageAnswer = { viable: false };

type Scripted<T> = T | Error;

export class RecordingSales implements SalesPort {
  readonly coverageCalls: GeoPoint[] = [];
  readonly reserveCalls: ReserveFromChat[] = [];
  readonly prospectCalls: ProspectFromChat[] = [];
  readonly findCalls: string[] = [];
  readonly moveCalls: MoveFromChat[] = [];
  /** CPF → its active reservation (what findReservation answers). */
  readonly existing = new Map<string, ExistingReservation>();
  /** Answers for the next calls, in order; when empty the default answers. */
  readonly coverageScript: Array<Scripted<CoverageAnswer>> = [];
  readonly reserveScript: Array<Scripted<ReservationAnswer>> = [];
  readonly prospectScript: Array<Scripted<{ id: string }>> = [];
  defaultCoverage: CoverageAnswer = VIABLE;

  checkCoverage(point: GeoPoint): Promise<CoverageAnswer> {
    this.coverageCalls.push(point);
    return settle(this.coverageScript.shift() ?? this.defaultCoverage);
  }

  findReservation(document: string): Promise<ExistingReservation | undefined> {
    this.findCalls.push(document);
    return Promise.resolve(this.existing.get(document));
  }

  moveReservation(request: MoveFromChat): Promise<ReservationAnswer> {
    this.moveCalls.push(request);
    return settle(
      this.reserveScript.shift() ?? {
        boxName: 'CTO-09',
        splitterName: 'SPL-2:8',
        port: 3,
        expiresAt: new Date('2025-03-17T12:00:00Z'),
        clientCode: request.clientCode,
        address: request.address,
      },
    );
  }

  reserve(request: ReserveFromChat): Promise<ReservationAnswer> {
    this.reserveCalls.push(request);
    return settle(
      this.reserveScript.shift() ?? {
        boxName: 'CTO-07',
        splitterName: 'SPL-1:8',
        port: 5,
        expiresAt: new Date('2025-03-17T12:00:00Z'),
        clientCode: request.idempotencyKey,
        address: request.address,
      },
    );
  }

  createProspect(request: ProspectFromChat): Promise<{ id: string }> {
    this.prospectCalls.push(request);
    return settle(this.prospectScript.shift() ?? { id: `prospect-${this.prospectCalls.length}` });
  }
}

export class RecordingFindMe implements FindMeLinkPort {
  readonly calls: Array<{ channel: Channel; chatId: string }> = [];
  fail = false;

  constructor(private readonly clock: () => Date) {}

  createLink(channel: Channel, chatId: string): Promise<{ url: string; expiresAt: Date }> {
    this.calls.push({ channel, chatId });
    if (this.fail) return Promise.reject(new Error('findme down'));
    return Promise.resolve({
      url: `https://findme.test/l/${this.calls.length}`,
      expiresAt: new Date(this.clock().getTime() + 30 * 60_000),
    });
  }
}

export class RecordingHandoff implements HandoffListener {
  readonly calls: HandoffRequest[] = [];
  /** Chats whose customer left the hand-off (menu, cancelar). */
  readonly left: Array<{ channel: string; chatId: string }> = [];
  /** What handedOff answers (none: the generic "someone will answer" text). */
  outcome?: HandoffOutcome;
  handedOff(request: HandoffRequest): Promise<HandoffOutcome | void> {
    this.calls.push(request);
    return Promise.resolve(this.outcome);
  }
  ended(chat: { channel: string; chatId: string }): Promise<void> {
    this.left.push(chat);
    return Promise.resolve();
  }
}

export const NO_FREE_PORT = new NoFreePortError('box CTO-07 is full');

function settle<T>(value: Scripted<T>): Promise<T> {
  return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
}

export class TestClock {
  constructor(private current = new Date('2025-03-10T12:00:00Z')) {}
  now = (): Date => this.current;
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const IDLE_MS = 30 * 60_000;

export interface Harness {
  engine: ConversationEngine;
  sales: RecordingSales;
  findme: RecordingFindMe;
  handoff: RecordingHandoff;
  clock: TestClock;
  store: ConversationStore;
}

export function harness(
  options: { geocoder?: ReverseGeocoder; store?: ConversationStore; sales?: RecordingSales } = {},
): Harness {
  const clock = new TestClock();
  const sales = options.sales ?? new RecordingSales();
  const findme = new RecordingFindMe(clock.now);
  const handoff = new RecordingHandoff();
  const store = options.store ?? new MemoryConversationStore(24 * 3600, clock.now);
  const engine = new ConversationEngine({
    store,
    sales,
    findme,
    handoff,
    geocoder: options.geocoder,
    clock: clock.now,
    idleTimeoutMs: IDLE_MS,
    handoffTimeoutMs: 4 * 3600_000,
    logger: createLogger('silent'),
  });
  return { engine, sales, findme, handoff, clock, store };
}

/** One customer talking to the engine; every message gets a fresh message id. */
export class Customer {
  private seq = 0;
  /** Two Customer objects on one chat (a restart) must not reuse message ids. */
  private readonly tag = randomUUID().slice(0, 8);

  constructor(
    private readonly engine: { handle(m: InboundMessage): Promise<OutboundMessage[]> },
    readonly chatId = 'chat-1',
    readonly channel: Channel = 'telegram',
    private readonly identity: { senderPhone?: string; senderName?: string } = {},
  ) {}

  text(text: string, messageId = this.nextId()): Promise<OutboundMessage[]> {
    return this.engine.handle({ ...this.base(messageId), kind: 'text', text });
  }

  location(lat: number, lng: number, address?: string): Promise<OutboundMessage[]> {
    return this.engine.handle({
      ...this.base(this.nextId()),
      kind: 'location',
      point: { lat, lng },
      address,
    });
  }

  findme(lat: number, lng: number, address?: string): Promise<OutboundMessage[]> {
    return this.engine.handle({
      ...this.base(this.nextId()),
      kind: 'findme-location',
      point: { lat, lng },
      address,
      linkId: 'link-1',
    });
  }

  contact(phone: string): Promise<OutboundMessage[]> {
    return this.engine.handle({ ...this.base(this.nextId()), kind: 'contact', phone });
  }

  unsupported(what = 'sticker'): Promise<OutboundMessage[]> {
    return this.engine.handle({ ...this.base(this.nextId()), kind: 'unsupported', what });
  }

  private base(messageId: string) {
    return {
      channel: this.channel,
      chatId: this.chatId,
      messageId,
      sentAt: new Date(),
      ...this.identity,
    };
  }

  private nextId(): string {
    this.seq += 1;
    return `${this.chatId}-${this.tag}-m${this.seq}`;
  }
}

/** All replies as a channel shows them (options numbered after the text), for assertions. */
export function textOf(replies: OutboundMessage[]): string {
  return replies
    .map((r) => {
      switch (r.kind) {
        case 'location':
          return `[location ${r.point.lat},${r.point.lng}]`;
        case 'request-location':
          return r.findmeUrl ? `${r.text}\n[map ${r.findmeUrl}]` : r.text;
        case 'text':
          return formatMenu(r.text, r.options);
      }
    })
    .join('\n---\n');
}

export const VALID_CPF = '529.982.247-25';
export const VALID_CPF_DIGITS = '52998224725';

/** Drives a customer from the greeting to the reservation summary (9 messages). */
export async function toSummary(c: Customer): Promise<OutboundMessage[]> {
  await c.text('oi');
  await c.text('1');
  await c.location(-23.42, -51.93, 'Rua das Flores, 100 - Maringá');
  await c.text('sim');
  await c.text('sim');
  await c.text('Maria da Silva');
  await c.text('(44) 99876-5432');
  await c.text(VALID_CPF);
  return c.text('maria@example.com');
}
