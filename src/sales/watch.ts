import type { Logger } from '../logger.js';
import { createOnce, isUniqueViolation, type Db } from '../ozmap-model/db/client.js';
import { Coalesced } from './coalesce.js';
import {
  claimed,
  eventRow,
  recordEvents,
  type ReservationRows,
  type SalesChangePort,
  type SalesEventInput,
} from './events.js';
import {
  loadProspectSnapshot,
  loadReservationSnapshot,
  loadReservationSnapshots,
  type ReservationSnapshot,
} from './snapshots.js';

export interface SalesWatchOptions {
  db: Db;
  now: () => Date;
  logger: Logger;
  /** A reservation this close to its expiry gets `reservation.expiring` (once per expiry date). */
  expiringWithinMs: number;
  /** Told when events were recorded (the dispatcher sends them on). */
  onEvents: () => void;
  /** Sweeps asked for during a sweep start this long after it (a burst shares one). */
  sweepGapMs?: number;
}

const BATCH = 500;
const BASELINE = { namespace: 'sales', key: 'watch-baseline' };

// Reservation clients the watch has not seen yet. `>= ''` (every non-null text) rather than
// IS NOT NULL: SQLite walks the reservedBy index for a range, not for IS NOT NULL.
const NEW_RESERVATIONS = `
SELECT c."id" AS id FROM "FtthClient" c
  LEFT JOIN "SalesReservationWatch" w ON w."clientId" = c."id"
 WHERE c."reservedBy" >= '' AND w."clientId" IS NULL
 LIMIT ${BATCH}`;
// Watched reservations whose client was confirmed (or un-confirmed) or got a new expiry.
const CHANGED_RESERVATIONS = `
SELECT c."id" AS id FROM "SalesReservationWatch" w
  JOIN "FtthClient" c ON c."id" = w."clientId"
 WHERE w."releasedAt" IS NULL
   AND (c."implanted" <> w."implanted"
        OR (c."implanted" = false AND c."reservationExpiresAt" IS DISTINCT FROM w."expiresAt"))
 LIMIT ${BATCH}`;
// Reservations (not confirmed) whose client is gone: released, whoever deleted it.
const VANISHED_RESERVATIONS = `
SELECT w."clientId" AS id FROM "SalesReservationWatch" w
  LEFT JOIN "FtthClient" c ON c."id" = w."clientId"
 WHERE w."releasedAt" IS NULL AND w."implanted" = false AND c."id" IS NULL
 LIMIT ${BATCH}`;
const NEW_PROSPECTS = `
SELECT p."id" AS id FROM "Prospect" p
  LEFT JOIN "SalesProspectStatus" s ON s."prospectId" = p."id"
 WHERE s."prospectId" IS NULL
 LIMIT ${BATCH}`;

/**
 * Notices what happened to reservations and prospects by comparing the inventory with what it
 * last knew (SalesReservationWatch, SalesProspectStatus), and records one event per fact. Every
 * writer is covered (the API, chat, OZloc, ERP syncs, the expiry job, SQL by hand); writers that
 * call `changed()` get their events at once, the rest on the next sweep. Safe on many instances
 * at once: each fact is claimed by a conditional write and its event deduplicated.
 */
export class SalesWatch implements SalesChangePort {
  private readonly sweeps: Coalesced<number>;
  private baselined = false;
  private stopped = false;

  constructor(private readonly o: SalesWatchOptions) {
    this.sweeps = new Coalesced(
      () => this.sweepOnce(),
      (a, b) => a + b,
      o.sweepGapMs ?? 0,
    );
  }

  /** A reservation written with these rows has nothing to notice later: no sweep needed. */
  reservedRows(reservation: ReservationSnapshot): ReservationRows {
    const at = this.o.now();
    return {
      watch: watchRow(reservation, at),
      // A client made in this transaction has no events yet: no dedupe lookup needed.
      events: newReservationEvents(reservation).map((e) => eventRow(e, at)),
    };
  }

  /** Schedules a sweep now (coalesced with one that is running) and the dispatch of what
   * `reserved` recorded. */
  changed(): void {
    if (this.stopped) return;
    this.o.onEvents();
    void this.sweep().catch((err: unknown) =>
      this.o.logger.warn({ err }, 'sales watch sweep failed'),
    );
  }

  /**
   * No more hinted sweeps (the server is shutting down): a reservation still finishing writes its
   * events in its own transaction, and the next sweep (another instance, or the next start)
   * catches up on the rest.
   */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when no sweep is in progress here. */
  settle(): Promise<void> {
    return this.sweeps.settle();
  }

  /** One full comparison; returns how many events it recorded. */
  sweep(): Promise<number> {
    return this.sweeps.run();
  }

  private async sweepOnce(): Promise<number> {
    await this.baseline();
    let recorded = 0;
    recorded += await this.eachBatch(NEW_RESERVATIONS, (ids) => this.seenMany(ids));
    recorded += await this.each(CHANGED_RESERVATIONS, (id) => this.updated(id));
    recorded += await this.each(VANISHED_RESERVATIONS, (id) => this.released(id));
    recorded += await this.each(NEW_PROSPECTS, (id) => this.prospect(id));
    recorded += await this.expiring();
    if (recorded > 0) this.o.onEvents();
    return recorded;
  }

  /** Runs `fn` on each id `sql` returns, page after page, until a page brings nothing new. */
  private each(sql: string, fn: (id: string) => Promise<number>): Promise<number> {
    return this.eachBatch(sql, async (ids) => {
      let recorded = 0;
      for (const id of ids) recorded += await fn(id);
      return recorded;
    });
  }

  /** Like `each`, a page of ids at a time. */
  private async eachBatch(sql: string, fn: (ids: string[]) => Promise<number>): Promise<number> {
    let recorded = 0;
    const done = new Set<string>();
    for (;;) {
      const rows = await this.o.db.$queryRawUnsafe<Array<{ id: string }>>(sql);
      const fresh = rows.map((r) => r.id).filter((id) => !done.has(id));
      for (const id of fresh) done.add(id);
      if (fresh.length > 0) recorded += await fn(fresh);
      if (rows.length < BATCH || fresh.length === 0) return recorded;
    }
  }

  /**
   * On a database that had reservations and prospects before the sales workspace existed, they
   * are taken as known: no flood of "created" events for last year's reservations.
   */
  async baseline(): Promise<void> {
    if (this.baselined) return;
    const { db } = this.o;
    const done = await db.keyValue.findUnique({ where: { namespace_key: BASELINE } });
    if (!done) {
      const at = this.o.now();
      // One scan for the ids, then batches: a provider upgrading has tens of thousands.
      const known = await db.$queryRawUnsafe<Array<{ id: string }>>(
        NEW_RESERVATIONS.replace(/LIMIT \d+/, ''),
      );
      for (let i = 0; i < known.length; i += BATCH) {
        const snaps = await loadReservationSnapshots(
          db,
          known.slice(i, i + BATCH).map((r) => r.id),
        );
        await claimed(async () => {
          await db.salesReservationWatch.createMany({
            data: snaps.map((snap) => watchRow(snap, at)),
          });
          return snaps.length;
        });
      }
      for (;;) {
        const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(NEW_PROSPECTS);
        await claimed(async () => {
          await db.salesProspectStatus.createMany({
            data: rows.map(({ id }) => ({ prospectId: id, status: 'new', updatedAt: at })),
          });
          return rows.length;
        });
        if (rows.length < BATCH) break;
      }
      // Instances starting together on an empty database all get here: the losers of the
      // upsert's read-then-insert race find the row on their second try.
      await createOnce(() =>
        db.keyValue.upsert({
          where: { namespace_key: BASELINE },
          create: { ...BASELINE, value: at.toISOString() },
          update: {},
        }),
      );
    }
    this.baselined = true;
  }

  /**
   * New reservations, a page in one transaction. Another instance claiming one of them first
   * fails the page; then each is claimed on its own, so the others still get their events.
   */
  private async seenMany(clientIds: string[]): Promise<number> {
    if (clientIds.length === 1) return this.seen(clientIds[0]!);
    const { db } = this.o;
    const snaps = (await loadReservationSnapshots(db, clientIds)).filter((s) => s.reservedBy);
    if (snaps.length === 0) return 0;
    const at = this.o.now();
    try {
      return await db.$transaction(async (tx) => {
        const known = await tx.salesReservationWatch.findMany({
          where: { clientId: { in: snaps.map((s) => s.clientId) } },
          select: { clientId: true },
        });
        const skip = new Set(known.map((k) => k.clientId));
        const fresh = snaps.filter((s) => !skip.has(s.clientId));
        if (fresh.length === 0) return 0;
        await tx.salesReservationWatch.createMany({ data: fresh.map((s) => watchRow(s, at)) });
        return recordEvents(tx, fresh.flatMap(newReservationEvents), at);
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      let recorded = 0;
      for (const snap of snaps) recorded += await this.seen(snap.clientId);
      return recorded;
    }
  }

  private async seen(clientId: string): Promise<number> {
    const snap = await loadReservationSnapshot(this.o.db, clientId);
    if (!snap || !snap.reservedBy) return 0;
    const at = this.o.now();
    return claimed(() =>
      this.o.db.$transaction(async (tx) => {
        if (
          await tx.salesReservationWatch.findUnique({
            where: { clientId },
            select: { clientId: true },
          })
        )
          return 0;
        await tx.salesReservationWatch.create({ data: watchRow(snap, at) });
        return recordEvents(tx, newReservationEvents(snap), at);
      }),
    );
  }

  private async updated(clientId: string): Promise<number> {
    const { db } = this.o;
    const [snap, known] = await Promise.all([
      loadReservationSnapshot(db, clientId),
      db.salesReservationWatch.findUnique({ where: { clientId } }),
    ]);
    if (!snap || !known) return 0;
    const at = this.o.now();
    const expiresAt = snap.expiresAt ? new Date(snap.expiresAt) : null;
    return claimed(() =>
      db.$transaction(async (tx) => {
        // Conditional on what we read: a concurrent sweep that got here first wins.
        const { count } = await tx.salesReservationWatch.updateMany({
          where: {
            clientId,
            implanted: known.implanted,
            expiresAt: known.expiresAt,
            releasedAt: null,
          },
          data: {
            implanted: snap.implanted,
            expiresAt,
            snapshotJson: JSON.stringify(snap),
            ...(snap.implanted && !known.implanted ? { confirmedAt: at } : {}),
          },
        });
        if (count === 0 || !snap.implanted || known.implanted) return 0;
        return recordEvents(tx, [reservationEvent('reservation.confirmed', snap)], at);
      }),
    );
  }

  private async released(clientId: string): Promise<number> {
    const at = this.o.now();
    return claimed(() =>
      this.o.db.$transaction(async (tx) => {
        const known = await tx.salesReservationWatch.findUnique({ where: { clientId } });
        if (!known || known.releasedAt) return 0;
        const { count } = await tx.salesReservationWatch.updateMany({
          where: { clientId, releasedAt: null },
          data: { releasedAt: at },
        });
        if (count === 0) return 0;
        const snap = JSON.parse(known.snapshotJson) as ReservationSnapshot;
        return recordEvents(tx, [reservationEvent('reservation.released', snap)], at);
      }),
    );
  }

  private async prospect(prospectId: string): Promise<number> {
    const snap = await loadProspectSnapshot(this.o.db, prospectId);
    if (!snap) return 0;
    const at = this.o.now();
    return claimed(() =>
      this.o.db.$transaction(async (tx) => {
        if (
          await tx.salesProspectStatus.findUnique({
            where: { prospectId },
            select: { prospectId: true },
          })
        )
          return 0;
        await tx.salesProspectStatus.create({ data: { prospectId, status: 'new', updatedAt: at } });
        return recordEvents(
          tx,
          [
            {
              type: 'prospect.created',
              subjectKey: `prospect:${prospectId}`,
              dedupeKey: `prospect.created:${prospectId}`,
              payload: { prospect: snap },
            },
          ],
          at,
        );
      }),
    );
  }

  /** Reservations entering the expiring window, once per expiry date (an extension re-arms it). */
  private async expiring(): Promise<number> {
    const { db } = this.o;
    const at = this.o.now();
    const until = new Date(at.getTime() + this.o.expiringWithinMs);
    const due = await db.salesReservationWatch.findMany({
      where: { releasedAt: null, implanted: false, expiresAt: { gt: at, lte: until } },
      orderBy: { expiresAt: 'asc' },
      take: 2000,
    });
    let recorded = 0;
    for (const w of due) {
      if (!w.expiresAt || w.expiringNotifiedFor?.getTime() === w.expiresAt.getTime()) continue;
      recorded += await claimed(() =>
        db.$transaction(async (tx) => {
          const { count } = await tx.salesReservationWatch.updateMany({
            where: {
              clientId: w.clientId,
              expiresAt: w.expiresAt,
              expiringNotifiedFor: w.expiringNotifiedFor,
            },
            data: { expiringNotifiedFor: w.expiresAt },
          });
          if (count === 0) return 0;
          const snap = JSON.parse(w.snapshotJson) as ReservationSnapshot;
          const expiry = w.expiresAt!.toISOString();
          return recordEvents(
            tx,
            [
              {
                ...reservationEvent('reservation.expiring', { ...snap, expiresAt: expiry }),
                dedupeKey: `reservation.expiring:${w.clientId}:${expiry}`,
              },
            ],
            at,
          );
        }),
      );
    }
    return recorded;
  }
}

function watchRow(snap: ReservationSnapshot, at: Date) {
  return {
    clientId: snap.clientId,
    code: snap.code,
    reservedBy: snap.reservedBy,
    implanted: snap.implanted,
    expiresAt: snap.expiresAt ? new Date(snap.expiresAt) : null,
    snapshotJson: JSON.stringify(snap),
    firstSeenAt: at,
    confirmedAt: snap.implanted ? at : null,
  };
}

function newReservationEvents(snap: ReservationSnapshot): SalesEventInput[] {
  const events = [reservationEvent('reservation.created', snap)];
  if (snap.implanted) events.push(reservationEvent('reservation.confirmed', snap));
  return events;
}

function reservationEvent(
  type:
    | 'reservation.created'
    | 'reservation.confirmed'
    | 'reservation.released'
    | 'reservation.expiring',
  snap: ReservationSnapshot,
): SalesEventInput {
  return {
    type,
    subjectKey: `reservation:${snap.clientId}`,
    dedupeKey: `${type}:${snap.clientId}`,
    payload: { reservation: snap },
  };
}
