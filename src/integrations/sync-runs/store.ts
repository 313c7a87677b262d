// Run reports shared by every sync (SGP now, Geogrid next): one SyncRun row per cycle, with its
// counts, progress and one SyncRunItem per thing that happened to a remote item (created,
// updated, skipped with a reason, failed...). Counts are exact; stored items are capped per run.
import { NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Db } from '../../ozmap-model/db/client.js';

export type SyncTrigger = 'schedule' | 'cli' | 'api';
export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';
export const SYNC_OUTCOMES = [
  'created',
  'adopted',
  'updated',
  'implanted',
  'cancelled',
  'removed',
  'skipped',
  'error',
  'note',
] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

export interface SyncRunItemInput {
  /** The remote item's id (an SGP contract id, a Geogrid element id). */
  itemId: string;
  outcome: SyncOutcome;
  /** Machine-readable reason for skips, errors and notes (box_not_found, sgp_port_taken, ...). */
  reason?: string;
  /** What happened, for a person reading the report. */
  message: string;
  detail?: Record<string, unknown>;
}

export interface SyncRunItem extends SyncRunItemInput {
  seq: number;
}

export interface SyncCounts {
  [key: string]: number | Record<string, number>;
}

export interface SyncRunSummary {
  id: string;
  integration: string;
  kind: string;
  cycle: string;
  trigger: SyncTrigger;
  dryRun: boolean;
  status: SyncRunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  counts: SyncCounts;
  progress: Record<string, unknown>;
  meta: Record<string, unknown>;
  error: string | null;
  errorCode: string | null;
  itemCount: number;
  itemsTruncated: boolean;
}

export interface SyncRunFilter {
  integration?: string;
  kind?: string;
  cycle?: string;
  status?: SyncRunStatus;
  /** Runs started before this instant (paging back in time). */
  before?: Date;
  limit?: number;
}

export interface SyncRunStoreOptions {
  now?: () => Date;
  /** Items stored per run; counts keep going past it (default 10 000). */
  maxItemsPerRun?: number;
  /** A running run whose heartbeat is older than this is shown as abandoned (default 5 min). */
  staleAfterMs?: number;
  /** Runs older than this are deleted (default 30 days). */
  runRetentionDays?: number;
  /** Items of runs older than this are deleted, their counts kept (default 7 days). */
  itemRetentionDays?: number;
}

type Row = NonNullable<Awaited<ReturnType<Db['syncRun']['findUnique']>>>;

const DAY_MS = 86_400_000;
const ITEM_BATCH = 100;

function parse<T>(json: string, fallback: T): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}

export class SyncRunStore {
  readonly now: () => Date;
  readonly maxItemsPerRun: number;
  readonly staleAfterMs: number;
  private readonly runRetentionMs: number;
  private readonly itemRetentionMs: number;

  constructor(
    private readonly db: Db,
    options: SyncRunStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxItemsPerRun = options.maxItemsPerRun ?? 10_000;
    this.staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
    this.runRetentionMs = (options.runRetentionDays ?? 30) * DAY_MS;
    this.itemRetentionMs = (options.itemRetentionDays ?? 7) * DAY_MS;
  }

  /** Opens a run (status running) and returns the recorder that fills its report. */
  async start(input: {
    integration: string;
    kind: string;
    cycle: string;
    trigger: SyncTrigger;
    dryRun?: boolean;
    owner?: string;
    meta?: Record<string, unknown>;
    /**
     * The caller holds the integration's exclusive lease: any run of it still marked running
     * belongs to a process that died, and is closed as abandoned now rather than when stale.
     */
    exclusive?: boolean;
  }): Promise<SyncRunRecorder> {
    const now = this.now();
    await this.markAbandoned(input.integration, now, input.exclusive ?? false);
    await this.prune(now);
    const id = newId(now.getTime());
    await this.db.syncRun.create({
      data: {
        id,
        integration: input.integration,
        kind: input.kind,
        cycle: input.cycle,
        trigger: input.trigger,
        dryRun: input.dryRun ?? false,
        status: 'running',
        startedAt: now,
        heartbeatAt: now,
        owner: input.owner ?? null,
        metaJson: JSON.stringify(input.meta ?? {}),
      },
    });
    return new SyncRunRecorder(this.db, this, id, now, input.meta ?? {});
  }

  async list(filter: SyncRunFilter = {}): Promise<SyncRunSummary[]> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new ValidationError('limit must be an integer from 1 to 500', 'limit');
    }
    const rows = await this.db.syncRun.findMany({
      where: {
        ...(filter.integration ? { integration: filter.integration } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.cycle ? { cycle: filter.cycle } : {}),
        ...(filter.before ? { startedAt: { lt: filter.before } } : {}),
        ...this.statusWhere(filter.status),
      },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((r) => this.summary(r));
  }

  /** One run with a page of its items (optionally of one outcome). */
  async get(
    id: string,
    page: { outcome?: SyncOutcome; offset?: number; limit?: number } = {},
  ): Promise<SyncRunSummary & { items: SyncRunItem[] }> {
    const row = await this.db.syncRun.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('sync run', id);
    const limit = page.limit ?? 1000;
    const offset = page.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ValidationError('limit must be an integer from 1 to 10000', 'limit');
    }
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ValidationError('offset must be a non-negative integer', 'offset');
    }
    const items = await this.db.syncRunItem.findMany({
      where: { runId: id, ...(page.outcome ? { outcome: page.outcome } : {}) },
      orderBy: { seq: 'asc' },
      skip: offset,
      take: limit,
    });
    return {
      ...this.summary(row),
      items: items.map((i) => ({
        seq: i.seq,
        itemId: i.itemId,
        outcome: i.outcome as SyncOutcome,
        ...(i.reason ? { reason: i.reason } : {}),
        message: i.message,
        ...(i.detailJson ? { detail: parse<Record<string, unknown>>(i.detailJson, {}) } : {}),
      })),
    };
  }

  /**
   * The latest finished, successful, real (not dry) run of one of `cycles`; with `metaIncludes`,
   * only runs whose meta JSON contains that text (e.g. '"cancelScan":"full"').
   */
  async lastSucceeded(
    integration: string,
    cycles: string[],
    metaIncludes?: string,
  ): Promise<SyncRunSummary | undefined> {
    const row = await this.db.syncRun.findFirst({
      where: {
        integration,
        cycle: { in: cycles },
        status: 'succeeded',
        dryRun: false,
        ...(metaIncludes ? { metaJson: { contains: metaIncludes } } : {}),
      },
      orderBy: { startedAt: 'desc' },
    });
    return row ? this.summary(row) : undefined;
  }

  /** Runs still marked running whose process stopped beating are closed as abandoned. */
  private async markAbandoned(integration: string, now: Date, all: boolean): Promise<void> {
    await this.db.syncRun.updateMany({
      where: {
        integration,
        status: 'running',
        ...(all ? {} : { heartbeatAt: { lt: new Date(now.getTime() - this.staleAfterMs) } }),
      },
      data: {
        status: 'abandoned',
        finishedAt: now,
        error: 'the process running this cycle stopped before it finished',
        errorCode: 'abandoned',
      },
    });
  }

  /** Retention: items of old runs, then runs older still, a few runs at a time. */
  private async prune(now: Date): Promise<void> {
    const itemsBefore = new Date(now.getTime() - this.itemRetentionMs);
    const runsBefore = new Date(now.getTime() - this.runRetentionMs);
    for (;;) {
      const old = await this.db.syncRun.findMany({
        where: { startedAt: { lt: itemsBefore }, itemCount: { gt: 0 } },
        select: { id: true, startedAt: true },
        take: 50,
      });
      if (old.length === 0) break;
      const ids = old.map((r) => r.id);
      await this.db.syncRunItem.deleteMany({ where: { runId: { in: ids } } });
      await this.db.syncRun.updateMany({ where: { id: { in: ids } }, data: { itemCount: 0 } });
    }
    await this.db.syncRun.deleteMany({ where: { startedAt: { lt: runsBefore } } });
  }

  private statusWhere(status: SyncRunStatus | undefined) {
    if (!status) return {};
    const stale = new Date(this.now().getTime() - this.staleAfterMs);
    if (status === 'running') return { status: 'running', heartbeatAt: { gte: stale } };
    if (status === 'abandoned') {
      return { OR: [{ status: 'abandoned' }, { status: 'running', heartbeatAt: { lt: stale } }] };
    }
    return { status };
  }

  private summary(r: Row): SyncRunSummary {
    const stale =
      r.status === 'running' && this.now().getTime() - r.heartbeatAt.getTime() > this.staleAfterMs;
    return {
      id: r.id,
      integration: r.integration,
      kind: r.kind,
      cycle: r.cycle,
      trigger: r.trigger as SyncTrigger,
      dryRun: r.dryRun,
      status: stale ? 'abandoned' : (r.status as SyncRunStatus),
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
      counts: parse<SyncCounts>(r.countsJson, {}),
      progress: parse<Record<string, unknown>>(r.progressJson, {}),
      meta: parse<Record<string, unknown>>(r.metaJson, {}),
      error: r.error,
      errorCode: r.errorCode,
      itemCount: r.itemCount,
      itemsTruncated: r.itemsTruncated,
    };
  }
}

/**
 * Fills one run's report. Items are buffered and written at each `flush()` (the sync calls it
 * once per page), which also moves the heartbeat and stores progress and counts.
 */
export class SyncRunRecorder {
  // Every outcome shows in the counts, zero included, so readers need no defaults.
  private readonly counts: Record<string, number> = Object.fromEntries(
    SYNC_OUTCOMES.map((o) => [o, 0]),
  );
  private readonly byReason: Record<string, Record<string, number>> = {};
  private buffer: SyncRunItem[] = [];
  private seq = 0;
  private stored = 0;
  private truncated = false;
  private progressState: Record<string, unknown> = {};

  constructor(
    private readonly db: Db,
    private readonly store: SyncRunStore,
    readonly id: string,
    readonly startedAt: Date,
    private meta: Record<string, unknown>,
  ) {}

  add(item: SyncRunItemInput): void {
    this.bump(item.outcome);
    if (item.outcome === 'skipped' || item.outcome === 'error') {
      const key = item.outcome === 'skipped' ? 'skippedByReason' : 'errorsByReason';
      const reasons = (this.byReason[key] ??= {});
      const reason = item.reason ?? 'unspecified';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    this.seq++;
    if (this.stored >= this.store.maxItemsPerRun) {
      this.truncated = true;
      return;
    }
    this.stored++;
    this.buffer.push({ ...item, seq: this.seq });
  }

  /** A counter that has no item per occurrence (contracts seen, unchanged, pages). */
  bump(key: string, by = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + by;
  }

  count(key: string): number {
    return this.counts[key] ?? 0;
  }

  progress(progress: Record<string, unknown>): void {
    this.progressState = { ...this.progressState, ...progress };
  }

  setMeta(meta: Record<string, unknown>): void {
    this.meta = { ...this.meta, ...meta };
  }

  snapshot(): SyncCounts {
    return { ...this.counts, ...this.byReason };
  }

  async flush(): Promise<void> {
    const items = this.buffer;
    this.buffer = [];
    for (let i = 0; i < items.length; i += ITEM_BATCH) {
      await this.db.syncRunItem.createMany({
        data: items.slice(i, i + ITEM_BATCH).map((it) => ({
          runId: this.id,
          seq: it.seq,
          itemId: it.itemId,
          outcome: it.outcome,
          reason: it.reason ?? null,
          message: it.message,
          detailJson: it.detail ? JSON.stringify(it.detail) : null,
        })),
      });
    }
    await this.db.syncRun.update({
      where: { id: this.id },
      data: {
        heartbeatAt: this.store.now(),
        countsJson: JSON.stringify(this.snapshot()),
        progressJson: JSON.stringify(this.progressState),
        metaJson: JSON.stringify(this.meta),
        itemCount: this.seq,
        itemsTruncated: this.truncated,
      },
    });
  }

  /** Closes the run; a failure keeps everything counted so far, plus why it stopped. */
  async finish(outcome: { error?: { message: string; code?: string } } = {}): Promise<void> {
    await this.flush();
    await this.db.syncRun.update({
      where: { id: this.id },
      data: {
        status: outcome.error ? 'failed' : 'succeeded',
        finishedAt: this.store.now(),
        error: outcome.error?.message ?? null,
        errorCode: outcome.error ? (outcome.error.code ?? 'failed') : null,
      },
    });
  }
}
