import { randomBytes } from 'node:crypto';
import type { Db } from '../ozmap-model/db/client.js';
import { isUniqueViolation } from '../ozmap-model/db/client.js';

export interface LeaseOptions {
  /** Who holds it: unique per process (see processOwner()). */
  owner: string;
  /** How long the lease lasts without renewal; renewed every third of it while held. */
  ttlMs: number;
  now?: () => Date;
}

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false; holder: string };

/**
 * Runs `fn` while holding the lease `key`, so no other instance sharing the database runs it at
 * the same time; when someone else holds it, returns at once with the holder. The lease is
 * renewed while `fn` runs; if a renewal finds it lost (this process stalled past the ttl and
 * another took over), `signal` aborts so `fn` can stop before doing more. Each call holds the
 * lease under its own token, so two calls in one process exclude each other too.
 */
export async function withLease<T>(
  db: Db,
  key: string,
  options: LeaseOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const now = options.now ?? (() => new Date());
  const token = `${options.owner}~${randomBytes(4).toString('hex')}`;
  const holder = await acquireLease(db, key, token, options.ttlMs, now());
  if (holder !== token) return { ran: false, holder: holder.replace(/~[0-9a-f]{8}$/, '') };
  const lost = new AbortController();
  const renew = setInterval(
    () => {
      renewLease(db, key, token, options.ttlMs, now())
        .then((held) => {
          if (!held) lost.abort(new Error(`lease ${key} was lost`));
        })
        .catch(() => {
          // The database is unreachable: keep going; the next renewal tries again.
        });
    },
    Math.max(1, Math.floor(options.ttlMs / 3)),
  );
  renew.unref();
  try {
    return { ran: true, value: await fn(lost.signal) };
  } finally {
    clearInterval(renew);
    await releaseLease(db, key, token).catch(() => {
      // Unreleased, it simply expires after ttlMs.
    });
  }
}

/** Takes the lease when free, expired or already ours; returns who holds it afterwards. */
export async function acquireLease(
  db: Db,
  key: string,
  owner: string,
  ttlMs: number,
  now: Date,
): Promise<string> {
  const until = new Date(now.getTime() + ttlMs);
  // A conditional update is atomic on both databases: of two instances taking over the same
  // expired lease, the second re-checks `until` after the first commits and matches nothing.
  const { count } = await db.jobLease.updateMany({
    where: { key, OR: [{ until: { lt: now } }, { owner }] },
    data: { owner, until },
  });
  if (count === 1) return owner;
  try {
    await db.jobLease.create({ data: { key, owner, until } });
    return owner;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const row = await db.jobLease.findUnique({ where: { key }, select: { owner: true } });
  return row?.owner ?? 'unknown';
}

/** Extends a lease we hold; false when it is no longer ours. */
export async function renewLease(
  db: Db,
  key: string,
  owner: string,
  ttlMs: number,
  now: Date,
): Promise<boolean> {
  const { count } = await db.jobLease.updateMany({
    where: { key, owner },
    data: { until: new Date(now.getTime() + ttlMs) },
  });
  return count === 1;
}

export async function releaseLease(db: Db, key: string, owner: string): Promise<void> {
  await db.jobLease.deleteMany({ where: { key, owner } });
}
