import type { NetworkChanges } from '../context.js';
import type { Logger } from '../logger.js';
import {
  ALL_POLES_KEY,
  CONDOS_KEY,
  POLE_PREFIX,
  REGIONS_KEY,
} from '../ozmap-model/db/change-log.js';
import { dbProvider, type Db } from '../ozmap-model/db/client.js';

interface ChangeRow {
  key: string;
  version: bigint;
  at: bigint;
}

/** A run of versions not seen yet: an uncommitted transaction's, or one rolled back (never filled). */
interface Gap {
  from: bigint;
  to: bigint;
  noticedAt: number;
}

export interface NetworkSyncOptions {
  db: Db;
  /** The local viability index: reloads the boxes (or regions) named by the log. */
  local: NetworkChanges;
  logger: Logger;
  /** The version this instance's index is known to include (read before the index loaded). */
  from: bigint;
  intervalMs: number;
  /** How long a missing version is waited for before it counts as rolled back. */
  gapGraceMs?: number;
  batchSize?: number;
  now?: () => number;
  /** Called after each poll that applied changes: how many, and the newest one's age. */
  onApplied?: (count: number, lagMs: number) => void;
}

export interface NetworkSyncStatus {
  version: string;
  lastPollAt?: string;
  lastError?: string;
  waitingFor: number;
}

const GAP_GRACE_MS = 120_000;
/** Above this many gaps, one range spanning them all is read and the rows outside them dropped. */
const MAX_GAP_RANGES = 64;
/** Versions just below the start cursor may belong to transactions not committed yet at start. */
const START_LOOKBACK = 1_000n;

/**
 * Keeps this instance's viability index exact against the database's change log (table
 * NetworkChange, written by triggers whoever makes the change). Every `intervalMs` it applies what
 * is newer than the last version it saw; the Redis broadcast stays the fast path and this is the
 * backstop that catches lost broadcasts, an instance cut off from Redis, and SQL by hand.
 *
 * On PostgreSQL versions come from a sequence, so a later version can commit before an earlier
 * one: versions skipped over are remembered as gaps and looked up again until they appear or
 * `gapGraceMs` passes (a rolled-back transaction leaves a gap that never fills). Most gaps are
 * versions a key was bumped past (the log keeps each key's newest version only), one per box a
 * bulk write touches several times: they are kept exact, so a version already applied is never
 * applied again. On SQLite writers are serialised and each draws MAX + 1 under the write lock, so
 * a version above every committed one cannot commit late: there are no gaps to wait for.
 */
export class NetworkSync {
  private maxSeen: bigint;
  /** Disjoint, in ascending order. */
  private gaps: Gap[] = [];
  private readonly watchGaps: boolean;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private again = false;
  private stopped = false;
  private lastPollAt?: number;
  private lastError?: string;
  private readonly now: () => number;

  constructor(private readonly options: NetworkSyncOptions) {
    this.now = options.now ?? Date.now;
    this.maxSeen = options.from;
    this.watchGaps = dbProvider(options.db) === 'postgresql';
    const lookbackFrom = options.from > START_LOOKBACK ? options.from - START_LOOKBACK : 1n;
    if (this.watchGaps && options.from >= 1n)
      this.gaps.push({ from: lookbackFrom, to: options.from, noticedAt: this.now() });
  }

  /** The newest version in the log (0 when empty): read it before loading the index. */
  static async currentVersion(db: Db): Promise<bigint> {
    const rows = await db.$queryRawUnsafe<Array<{ v: bigint | number | null }>>(
      'SELECT MAX("version") AS v FROM "NetworkChange"',
    );
    return BigInt(rows[0]?.v ?? 0);
  }

  start(): this {
    this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  status(): NetworkSyncStatus {
    return {
      version: this.maxSeen.toString(),
      lastPollAt: this.lastPollAt ? new Date(this.lastPollAt).toISOString() : undefined,
      lastError: this.lastError,
      waitingFor: this.gaps.length,
    };
  }

  /**
   * Applies every change newer than what this instance has seen; resolves with how many it
   * applied. Calls made while a poll runs are folded into one more poll after it.
   */
  pollNow(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pollLoop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pollNow()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async pollLoop(): Promise<number> {
    let applied = 0;
    do {
      this.again = false;
      try {
        applied += await this.pollOnce();
        this.lastPollAt = this.now();
        if (this.lastError) this.options.logger.info('network change log readable again');
        this.lastError = undefined;
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        if (this.lastError !== message)
          this.options.logger.warn({ error: message }, 'could not read the network change log');
        this.lastError = message;
        throw err;
      }
    } while (this.again && !this.stopped);
    return applied;
  }

  private async pollOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 1_000;
    const rows: ChangeRow[] = [];
    // Gaps first: they are older than anything above maxSeen.
    if (this.gaps.length) rows.push(...this.fillGaps(await this.read(this.gapRanges())));
    for (;;) {
      const fresh = await this.read(`"version" > ${this.maxSeen}`, batch);
      this.noteGaps(fresh);
      rows.push(...fresh);
      if (fresh.length < batch || this.stopped) break;
    }
    this.expireGaps();
    if (rows.length === 0) return 0;
    await this.apply(rows);
    return rows.length;
  }

  private async read(where: string, limit?: number): Promise<ChangeRow[]> {
    const rows = await this.options.db.$queryRawUnsafe<
      Array<{ key: string; version: bigint | number; at: bigint | number }>
    >(
      `SELECT "key", "version", "at" FROM "NetworkChange" WHERE ${where} ORDER BY "version"${
        limit ? ` LIMIT ${limit}` : ''
      }`,
    );
    return rows.map((r) => ({ key: r.key, version: BigInt(r.version), at: BigInt(r.at) }));
  }

  /** The WHERE clause that reads every gap: each one, or (many of them) the span of them all. */
  private gapRanges(): string {
    if (this.gaps.length > MAX_GAP_RANGES)
      return `"version" BETWEEN ${this.gaps[0]!.from} AND ${this.gaps.at(-1)!.to}`;
    return `(${this.gaps.map((g) => `("version" BETWEEN ${g.from} AND ${g.to})`).join(' OR ')})`;
  }

  /** Versions between maxSeen and each new row that are absent now may still commit. */
  private noteGaps(rows: ChangeRow[]): void {
    const noticedAt = this.now();
    for (const row of rows) {
      if (this.watchGaps && row.version > this.maxSeen + 1n)
        this.gaps.push({ from: this.maxSeen + 1n, to: row.version - 1n, noticedAt });
      if (row.version > this.maxSeen) this.maxSeen = row.version;
    }
  }

  /**
   * Splits the gaps around the versions that appeared, in one pass over both (sorted by version);
   * returns the rows that were in a gap (a span read also returns rows applied before).
   */
  private fillGaps(found: ChangeRow[]): ChangeRow[] {
    const filled: ChangeRow[] = [];
    const gaps: Gap[] = [];
    let i = 0;
    for (const gap of this.gaps) {
      let from = gap.from;
      while (i < found.length && found[i]!.version < from) i++;
      for (; i < found.length && found[i]!.version <= gap.to; i++) {
        const row = found[i]!;
        filled.push(row);
        if (row.version > from) gaps.push({ ...gap, from, to: row.version - 1n });
        from = row.version + 1n;
      }
      if (from <= gap.to) gaps.push(from === gap.from ? gap : { ...gap, from });
    }
    this.gaps = gaps;
    return filled;
  }

  private expireGaps(): void {
    const cutoff = this.now() - (this.options.gapGraceMs ?? GAP_GRACE_MS);
    this.gaps = this.gaps.filter((g) => g.noticedAt > cutoff);
  }

  private async apply(rows: ChangeRow[]): Promise<void> {
    const boxes = new Set<string>();
    const poles = new Set<string>();
    let regions = false;
    let allPoles = false;
    let condos = false;
    let newest = 0n;
    for (const row of rows) {
      if (row.key === REGIONS_KEY) regions = true;
      else if (row.key === ALL_POLES_KEY) allPoles = true;
      else if (row.key === CONDOS_KEY) condos = true;
      else if (row.key.startsWith(POLE_PREFIX)) poles.add(row.key.slice(POLE_PREFIX.length));
      else boxes.add(row.key);
      if (row.at > newest) newest = row.at;
    }
    if (regions) await this.options.local.regionsChanged();
    if (condos) await this.options.local.condosChanged();
    const ids = [...boxes];
    for (let i = 0; i < ids.length; i += 1_000) {
      await this.options.local.boxesChanged(ids.slice(i, i + 1_000));
    }
    // After the boxes: the graph links boxes to the index's slots.
    if (allPoles || poles.size > 2_000) await this.options.local.polesChanged('all');
    else if (poles.size) await this.options.local.polesChanged(poles);
    this.options.onApplied?.(rows.length, Math.max(0, this.now() - Number(newest)));
  }
}

/**
 * Forgets change-log rows of boxes that no longer exist, once older than `retentionMs` (rows of
 * existing boxes are one per box and stay). Runs once per schedule across instances.
 */
export async function pruneNetworkChanges(
  db: Db,
  now: number,
  retentionMs: number,
): Promise<number> {
  const cutoff = Math.floor(now - retentionMs);
  return db.$executeRawUnsafe(
    `DELETE FROM "NetworkChange" WHERE "at" < ${cutoff} AND "key" <> '${REGIONS_KEY}' AND NOT EXISTS (SELECT 1 FROM "Box" b WHERE b."id" = "NetworkChange"."key")`,
  );
}
