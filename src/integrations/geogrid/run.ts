// One full Geogrid sync: Geogrid's clients read to match ours (CPF/CNPJ + observacao), then its
// network items page by page (built, then planned), each page planned and applied on its own
// (never the whole network in memory), then what Geogrid no longer lists is checked one by one
// and removed (or kept for its clients), then confirmed clients are sent to Geogrid. A failure to
// read Geogrid ends the run with its reason; what was applied stays applied (each page is whole),
// nothing is removed on a run that did not read everything, and the next run finishes the job.
import { setMaxListeners } from 'node:events';
import type { NetworkChanges } from '../../context.js';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { GeogridElement } from '../../services/sync-settings.js';
import type { SyncCounts, SyncRunRecorder, SyncRunStore, SyncTrigger } from '../sync-runs/store.js';
import { GeogridApplier } from './applier.js';
import { GeogridError } from './errors.js';
import { localItems } from './inventory.js';
import { planRemoval } from './planner.js';
import { pushConfirmed } from './push.js';
import { describePlan } from './report.js';
import type { Page, RemoteItem } from './types.js';
import { matchClients, PageScanner, type GeogridApi, type PreparedPage } from './scan.js';

export interface GeogridRunDeps {
  db: Db;
  network: NetworkChanges;
  geogrid: GeogridApi;
  runs: SyncRunStore;
  logger: Logger;
  now: () => Date;
  integration: string;
  projectId: string;
  elements: ReadonlySet<GeogridElement>;
  owner?: string;
  concurrency?: number;
}

export interface GeogridRunRequest {
  dryRun?: boolean;
  trigger: SyncTrigger;
  signal?: AbortSignal;
  onStart?: (runId: string) => void;
  onPage?: (p: PageProgress) => void;
}

export interface PageProgress {
  runId: string;
  scan: 'clients' | 'built' | 'planned' | 'removed';
  page: number;
  pages: number;
  records: number;
  counts: Record<string, number>;
}

export interface GeogridRunResult {
  runId: string;
  status: 'succeeded' | 'failed';
  counts: SyncCounts;
  error?: { message: string; code: string };
}

export const BOX_TYPES = ['terminal', 'caixa'];

export function runFailure(err: unknown): { message: string; code: string } {
  if (err instanceof GeogridError) return { message: err.message, code: err.code };
  if (
    err instanceof Error &&
    (err.name === 'AbortError' || /aborted|stopping|lease/i.test(err.message))
  ) {
    return {
      message: `the run was stopped before it finished (${err.message}); the next run goes on`,
      code: 'aborted',
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: `internal error: ${maskPii(message)}`, code: 'internal' };
}

export async function runGeogridSync(
  deps: GeogridRunDeps,
  req: GeogridRunRequest,
): Promise<GeogridRunResult> {
  const recorder = await deps.runs.start({
    integration: deps.integration,
    kind: 'geogrid',
    cycle: 'full',
    trigger: req.trigger,
    dryRun: req.dryRun,
    owner: deps.owner,
    meta: { elements: [...deps.elements], projectId: deps.projectId },
  });
  req.onStart?.(recorder.id);
  const log = deps.logger.child({ integration: deps.integration, runId: recorder.id });
  log.info({ dryRun: !!req.dryRun, trigger: req.trigger }, 'geogrid sync started');
  // Port lists are read a dozen at a time, each listening to the run's signal.
  if (req.signal) setMaxListeners(64, req.signal);
  const run = new FullRun(deps, req, recorder);
  try {
    await run.clients();
    await run.items(false);
    await run.items(true);
    await run.sweep();
    if (!req.dryRun) {
      const pushed = await pushConfirmed(
        { ...deps, recorder },
        { signal: req.signal, trigger: req.trigger },
      );
      recorder.setMeta({ push: pushed });
    }
    await recorder.finish();
    log.info({ counts: recorder.snapshot() }, 'geogrid sync finished');
    return { runId: recorder.id, status: 'succeeded', counts: recorder.snapshot() };
  } catch (err) {
    const error = runFailure(err);
    await recorder.finish({ error });
    log.warn({ code: error.code, err: error.message }, 'geogrid sync failed');
    return { runId: recorder.id, status: 'failed', counts: recorder.snapshot(), error };
  }
}

class FullRun {
  private readonly scanner: PageScanner;
  private readonly startedAt: Date;
  /** Dry runs write nothing, so what they saw is remembered here instead of in seenAt. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly deps: GeogridRunDeps,
    private readonly req: GeogridRunRequest,
    private readonly recorder: SyncRunRecorder,
  ) {
    this.startedAt = recorder.startedAt;
    this.scanner = new PageScanner(deps, recorder, {
      dryRun: !!req.dryRun,
      seenAt: this.startedAt,
      signal: req.signal,
    });
  }

  private async progress(
    scan: PageProgress['scan'],
    page: number,
    total: number,
    records: number,
    counts: Record<string, number>,
  ) {
    const pages = Math.max(page, Math.ceil(total / this.deps.geogrid.pageSize));
    this.recorder.bump('pages');
    this.recorder.progress({ scan, page, pages, items: this.recorder.count('items') });
    await this.recorder.flush();
    this.req.onPage?.({ runId: this.recorder.id, scan, page, pages, records, counts });
  }

  async clients(): Promise<void> {
    let page = 0;
    for await (const p of this.deps.geogrid.clientPages(this.req.signal)) {
      page++;
      this.recorder.bump('clients', p.records.length);
      const { matched, mismatched } = await matchClients(
        this.deps.db,
        this.deps.integration,
        p.records,
        {
          dryRun: this.req.dryRun,
        },
      );
      this.recorder.bump('matched', matched);
      for (const m of mismatched) {
        this.recorder.add({
          itemId: `cliente ${m.geogridClientId}`,
          outcome: 'note',
          reason: 'document_mismatch',
          message: `Geogrid client ${m.geogridClientId} names our client ${m.clientId} in observacao, but its CPF/CNPJ differs: not matched`,
        });
      }
      await this.progress('clients', page, p.total, p.records.length, { matched });
    }
  }

  async items(planned: boolean): Promise<void> {
    const types = [...BOX_TYPES, ...(this.deps.elements.has('poles') ? ['poste'] : [])];
    let page = 0;
    let previous: { prepared: Promise<PreparedPage>; total: number; records: number } | undefined;
    const commit = async (prev: NonNullable<typeof previous>) => {
      const { counts } = await this.scanner.commit(await prev.prepared);
      await this.progress(planned ? 'planned' : 'built', ++page, prev.total, prev.records, counts);
    };
    const pages = this.deps.geogrid.itemPages(types, planned, this.req.signal);
    try {
      for (;;) {
        let next: IteratorResult<Page<RemoteItem>>;
        try {
          next = await pages.next();
        } catch (err) {
          // Geogrid failed on this page: what was read before it is still written.
          if (previous) await commit(previous);
          previous = undefined;
          throw err;
        }
        if (next.done) break;
        const p = next.value;
        for (const r of p.rejected) {
          this.recorder.add({
            itemId: r.itemId,
            outcome: 'error',
            reason: 'unreadable_item',
            message: r.reason,
          });
        }
        if (this.req.dryRun) for (const i of p.records) this.seen.add(i.id);
        // This page's Geogrid reads run while the previous page is written.
        const prepared = this.scanner.prepare(p.records);
        prepared.catch(() => undefined);
        if (previous) await commit(previous);
        previous = { prepared, total: p.total, records: p.records.length };
      }
      if (previous) await commit(previous);
      previous = undefined;
    } finally {
      // A failure leaves no read running behind the run's back.
      await previous?.prepared.catch(() => undefined);
    }
  }

  /**
   * Items synced here that no scan listed: each is looked up (a page boundary may have shifted
   * while Geogrid changed); the ones Geogrid still has are synced, the others removed or kept.
   */
  async sweep(): Promise<void> {
    const { db, integration } = this.deps;
    const applier = new GeogridApplier(db, {
      integration,
      projectId: this.deps.projectId,
      now: this.deps.now,
      seenAt: this.startedAt,
    });
    let after = '';
    let page = 0;
    for (;;) {
      this.req.signal?.throwIfAborted();
      const rows = await db.geogridItem.findMany({
        where: {
          integration,
          state: { in: ['synced', 'gone'] },
          seenAt: { lt: this.startedAt },
          itemId: { gt: after },
        },
        orderBy: { itemId: 'asc' },
        select: { itemId: true },
        take: 500,
      });
      if (rows.length === 0) return;
      after = rows.at(-1)!.itemId;
      const ids = rows.map((r) => r.itemId).filter((id) => !this.seen.has(id));
      if (ids.length === 0) continue;
      page++;
      const still = await this.deps.geogrid.itemsByIds(ids, this.req.signal);
      const found = new Set(still.map((i) => i.id));
      const counts: Record<string, number> = {};
      if (still.length) {
        const r = await this.scanner.page(still);
        Object.assign(counts, r.counts);
      }
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) {
        const local = await localItems(db, integration, missing);
        const plans = missing.flatMap((id) => {
          const l = local.get(id);
          return l ? [planRemoval(l, 'deleted in Geogrid')] : [];
        });
        if (this.req.dryRun) {
          for (const p of plans) describePlan(p, 'dry').forEach((i) => this.add(i, counts));
        } else {
          const applied = await applier.apply(plans, []);
          applied.items.forEach((i) => this.add(i, counts));
          if (applied.boxIds.size) await this.deps.network.boxesChanged(applied.boxIds);
        }
      }
      await this.progress('removed', page, page * 500, ids.length, counts);
    }
  }

  private add(item: Parameters<SyncRunRecorder['add']>[0], counts: Record<string, number>): void {
    counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
    this.recorder.add(item);
  }
}
