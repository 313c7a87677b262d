import type { NetworkChanges } from '../context.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';

export interface ReleasedReservation {
  clientCode: string;
  reservedBy: string | null;
  boxId: string | null;
  splitterId: string | null;
  port: number | null;
  expiredAt: Date;
}

/**
 * Releases reservations whose expiry passed and whose client is still not implanted: the client
 * and its property are removed and the port is free again. A client confirmed (implanted) in the
 * meantime is never touched: the delete re-checks `implanted = false` inside the transaction.
 */
export async function releaseExpiredReservations(
  db: Db,
  network: NetworkChanges,
  logger: Logger,
  now: Date,
  batchSize = 500,
): Promise<ReleasedReservation[]> {
  const released: ReleasedReservation[] = [];
  for (;;) {
    const due = await db.ftthClient.findMany({
      where: { implanted: false, reservationExpiresAt: { lte: now } },
      select: {
        id: true,
        code: true,
        reservedBy: true,
        reservationExpiresAt: true,
        property: { select: { id: true, boxId: true, splitterId: true, port: true } },
      },
      orderBy: { reservationExpiresAt: 'asc' },
      take: batchSize,
    });
    if (due.length === 0) break;
    for (const client of due) {
      const removed = await db.$transaction(async (tx) => {
        const { count } = await tx.ftthClient.deleteMany({
          where: { id: client.id, implanted: false, reservationExpiresAt: { lte: now } },
        });
        if (count === 0) return false;
        if (client.property) await tx.property.deleteMany({ where: { id: client.property.id } });
        return true;
      });
      if (!removed) continue;
      released.push({
        clientCode: client.code,
        reservedBy: client.reservedBy,
        boxId: client.property?.boxId ?? null,
        splitterId: client.property?.splitterId ?? null,
        port: client.property?.port ?? null,
        expiredAt: client.reservationExpiresAt ?? now,
      });
    }
    if (due.length < batchSize) break;
  }
  const boxes = released.map((r) => r.boxId).filter((id): id is string => id !== null);
  if (boxes.length) await network.boxesChanged(boxes);
  for (const r of released)
    logger.info({ job: 'reservation-expiry', ...r }, 'reservation released');
  if (released.length)
    logger.info(
      { job: 'reservation-expiry', released: released.length },
      'expired reservations released',
    );
  return released;
}
