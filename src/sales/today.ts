import type { Db } from '../ozmap-model/db/client.js';
import { startOfDay } from './business-hours.js';
import type { HandoffQueue, HandoffView } from './handoffs.js';
import { PROSPECT_SORTS, type ProspectRow, type SalesProspects } from './prospects.js';
import { RESERVATION_SORTS, type ReservationRow, type SalesReservations } from './reservations.js';

export interface TodayView {
  since: string;
  counts: { reservations: number; prospects: number; waiting: number; expiring: number };
  reservations: ReservationRow[];
  prospects: ProspectRow[];
  waiting: HandoffView[];
  expiring: ReservationRow[];
}

/** "Hoje": what came in since midnight, who is waiting for a person, what is about to expire. */
export async function today(
  deps: {
    db: Db;
    now: () => Date;
    timeZone: string;
    reservations: SalesReservations;
    prospects: SalesProspects;
    handoffs: HandoffQueue;
  },
  size = 10,
): Promise<TodayView> {
  const since = startOfDay(deps.now(), deps.timeZone);
  const base = { page: 1, pageSize: size, from: since, desc: true };
  const [reservations, prospects, open, expiring] = await Promise.all([
    deps.reservations.list({ ...base, sort: RESERVATION_SORTS[0] }),
    deps.prospects.list({ ...base, sort: PROSPECT_SORTS[0] }),
    deps.handoffs.open(),
    deps.reservations.list({
      page: 1,
      pageSize: size,
      status: 'expiring',
      sort: 'expiresAt',
      desc: false,
    }),
  ]);
  const waiting = open.filter((h) => h.status === 'waiting');
  return {
    since: since.toISOString(),
    counts: {
      reservations: reservations.total,
      prospects: prospects.total,
      waiting: waiting.length,
      expiring: expiring.total,
    },
    reservations: reservations.rows,
    prospects: prospects.rows,
    waiting,
    expiring: expiring.rows,
  };
}
