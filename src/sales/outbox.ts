import { newId } from '../ids.js';
import { Coalesced } from './coalesce.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { SalesEventType } from './events.js';
import type { LiveBus, LiveEvent } from './live.js';

export interface OutboxOptions {
  db: Db;
  live: LiveBus;
  now: () => Date;
  logger: Logger;
  /** Told when new deliveries are waiting (the delivery worker sends them). */
  onDeliveries: () => void;
  /** Dispatches asked for during one start this long after it (a burst shares one). */
  gapMs?: number;
}

const BATCH = 200;

/**
 * Takes each recorded event out of the outbox once (whichever instance claims it first): queues
 * one delivery per endpoint subscribed to its type, in the same transaction, then tells the
 * workspace pages (the live feed).
 */
export class OutboxDispatcher {
  private readonly runs: Coalesced<number>;

  constructor(private readonly o: OutboxOptions) {
    this.runs = new Coalesced(
      () => this.drain(),
      (a, b) => a + b,
      o.gapMs ?? 0,
    );
  }

  kick(): void {
    void this.dispatch().catch((err: unknown) =>
      this.o.logger.warn({ err }, 'outbox dispatch failed'),
    );
  }

  /** Resolves when no run is in progress here. */
  settle(): Promise<void> {
    return this.runs.settle();
  }

  dispatch(): Promise<number> {
    return this.runs.run();
  }

  private async drain(): Promise<number> {
    const { db } = this.o;
    let total = 0;
    let queued = 0;
    for (;;) {
      const events = await db.salesEvent.findMany({
        where: { dispatchedAt: null },
        orderBy: { seq: 'asc' },
        take: BATCH,
      });
      if (events.length === 0) break;
      const endpoints = await db.webhookEndpoint.findMany({
        where: { active: true },
        select: { id: true, eventsJson: true },
      });
      const subscribed = endpoints.map((e) => ({
        id: e.id,
        events: new Set(JSON.parse(e.eventsJson) as string[]),
      }));
      // The page is claimed in one statement: an event another instance dispatched meanwhile is
      // not returned (PostgreSQL re-checks the condition after waiting for its row lock).
      const at = this.o.now();
      const { claimedSeqs, queuedHere } = await db.$transaction(async (tx) => {
        const rows = await tx.salesEvent.updateManyAndReturn({
          where: { seq: { in: events.map((e) => e.seq) }, dispatchedAt: null },
          data: { dispatchedAt: at },
          select: { seq: true },
        });
        const mine = new Set(rows.map((r) => r.seq));
        const deliveries = events
          .filter((event) => mine.has(event.seq))
          .flatMap((event) =>
            subscribed
              .filter((e) => e.events.has(event.type))
              .map((t) => ({
                id: newId(at.getTime()),
                endpointId: t.id,
                eventSeq: event.seq,
                eventType: event.type,
                subjectKey: event.subjectKey,
                status: 'pending',
                nextAttemptAt: at,
                createdAt: at,
              })),
          );
        if (deliveries.length) await tx.webhookDelivery.createMany({ data: deliveries });
        return { claimedSeqs: mine, queuedHere: deliveries.length };
      });
      queued += queuedHere;
      const claimedAny = claimedSeqs.size > 0;
      total += claimedSeqs.size;
      for (const event of events) {
        if (!claimedSeqs.has(event.seq)) continue;
        await this.o.live
          .publish(liveOf(event.type as SalesEventType, event.subjectKey, at))
          .catch((err: unknown) => this.o.logger.warn({ err }, 'live publish failed'));
      }
      if (!claimedAny && events.length < BATCH) break;
    }
    if (queued > 0) this.o.onDeliveries();
    return total;
  }
}

/** The live feed's view of an event: its type and subject, nothing personal. */
export function liveOf(type: SalesEventType, subjectKey: string, at: Date): LiveEvent {
  const [kind, id] = subjectKey.split(':') as [string, string | undefined];
  const subjectType =
    kind === 'reservation' || kind === 'prospect' || kind === 'handoff' ? kind : undefined;
  return { type, at: at.toISOString(), subjectType, subjectId: id };
}
