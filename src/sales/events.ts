import { newId } from '../ids.js';
import { isUniqueViolation, type Db, type Tx } from '../ozmap-model/db/client.js';
import type { ReservationSnapshot } from './snapshots.js';

/** The events a webhook or the Telegram notification may subscribe to. */
export const SALES_EVENT_TYPES = [
  'reservation.created',
  'reservation.confirmed',
  'reservation.expiring',
  'reservation.released',
  'prospect.created',
  'handoff.requested',
  'handoff.escalated',
] as const;

export type SalesEventType = (typeof SALES_EVENT_TYPES)[number];

export function isSalesEventType(value: string): value is SalesEventType {
  return (SALES_EVENT_TYPES as readonly string[]).includes(value);
}

export interface SalesEventInput {
  type: SalesEventType;
  /** Deliveries of one subject go out in order: `reservation:<clientId>`, `prospect:<id>`... */
  subjectKey: string;
  /** The same fact noticed twice (two instances, a retry) is recorded once. */
  dedupeKey: string;
  payload: Record<string, unknown>;
}

/**
 * What the inventory's writers call after a change that may matter to sales (a reservation made,
 * confirmed or released, a prospect recorded): "look now". The sales side compares the inventory
 * with what it last knew and records the events; without the call it still notices on its next
 * sweep, so a missed call delays an event and never loses it.
 */
export interface SalesChangePort {
  changed(): void;
  /**
   * The rows a reservation being made writes in its own transaction: its watch row and its
   * `reservation.created` (so a reservation deleted a moment later still had its event).
   */
  reservedRows?(reservation: ReservationSnapshot): ReservationRows | undefined;
}

export interface ReservationRows {
  watch: {
    clientId: string;
    code: string;
    reservedBy: string | null;
    implanted: boolean;
    expiresAt: Date | null;
    snapshotJson: string;
    firstSeenAt: Date;
    confirmedAt: Date | null;
  };
  events: Array<ReturnType<typeof eventRow>>;
}

/**
 * Writes events to the outbox (inside the caller's transaction); one already recorded under the
 * same dedupe key is skipped. (Looked up first: a failed insert would abort a PostgreSQL
 * transaction. Two writers racing on one key make one transaction fail with a unique violation,
 * and its caller treats that as "someone else recorded it".)
 */
export async function recordEvents(
  db: Db | Tx,
  input: SalesEventInput[],
  now: Date,
): Promise<number> {
  const known = await db.salesEvent.findMany({
    where: { dedupeKey: { in: input.map((e) => e.dedupeKey) } },
    select: { dedupeKey: true },
  });
  const skip = new Set(known.map((k) => k.dedupeKey));
  const events = input.filter((e) => !skip.has(e.dedupeKey));
  if (events.length === 0) return 0;
  const { count } = await db.salesEvent.createMany({ data: events.map((e) => eventRow(e, now)) });
  return count;
}

/** An event as the outbox stores it. */
export function eventRow(e: SalesEventInput, now: Date) {
  return {
    id: newId(now.getTime()),
    type: e.type,
    subjectKey: e.subjectKey,
    dedupeKey: e.dedupeKey,
    payloadJson: JSON.stringify(e.payload),
    createdAt: now,
  };
}

/** Runs a claiming transaction; a unique violation means another writer claimed it first: 0. */
export async function claimed(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err)) return 0;
    throw err;
  }
}
