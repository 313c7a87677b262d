// One SGP cycle: SGP's contract feed is read page by page (never the whole base in memory); for
// each page our side is read in a few queries, the pure planner decides, the applier carries each
// contract out in its own transaction, the viability index hears about changed boxes, and the
// run's report is written. A failure to read SGP ends the cycle with its reason; what was applied
// stays applied (each contract is whole), and the next cycle finishes the job.
import { setTimeout as delay } from 'node:timers/promises';
import type { NetworkChanges } from '../../context.js';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { SyncCounts, SyncRunStore, SyncRunRecorder, SyncTrigger } from '../sync-runs/store.js';
import { SgpApplier } from './applier.js';
import type { ContractQuery, SgpClient } from './client.js';
import { dayWindow, type DayWindow } from './date-window.js';
import { SgpError } from './errors.js';
import { boxesByName, clientsByCode, reservationsByDocument } from './inventory.js';
import { planPage, type SgpStep } from './planner.js';
import { planItems } from './report.js';
import {
  CANCELLING_STATUSES,
  CONTRACT_STATUS,
  type SgpContractPage,
  type SgpPlacement,
} from './types.js';

export type SgpApi = Pick<SgpClient, 'contractPages' | 'placement' | 'pageSize'>;

export interface SgpCycleDeps {
  db: Db;
  network: NetworkChanges;
  sgp: SgpApi;
  runs: SyncRunStore;
  logger: Logger;
  now: () => Date;
  integration: string;
  /** Who runs it (instance id), kept in the run. */
  owner?: string;
  /** ONU look-ups in flight at once for a page's new contracts (default 8). */
  lookupConcurrency?: number;
  /**
   * After each page the cycle rests this many times as long as the page took (0 = never), so a
   * provider's first cycle leaves the machine's cores (and the database) to the requests.
   */
  restRatio?: number;
  /** How it rests (tests record the rests instead of waiting). */
  rest?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The caller holds the integration's lease (runs left `running` are dead ones). */
  exclusive?: boolean;
}

export interface SgpCycleRequest {
  steps: readonly SgpStep[];
  dryRun?: boolean;
  trigger: SyncTrigger;
  signal?: AbortSignal;
  /** Called after each page with a one-line progress report. */
  onPage?: (progress: PageProgress) => void;
  /** Called once the run's report exists (before any SGP call). */
  onStart?: (runId: string) => void;
}

export interface PageProgress {
  runId: string;
  scan: string;
  page: number;
  pages: number;
  contracts: number;
  /** What this page did, by outcome. */
  counts: Record<string, number>;
}

export interface SgpCycleResult {
  runId: string;
  cycle: string;
  status: 'succeeded' | 'failed';
  counts: SyncCounts;
  error?: { message: string; code: string };
}

const STEP_ORDER: SgpStep[] = ['create', 'update', 'cancel'];
const DAY_MS = 86_400_000;
const FULL_CANCEL_SCAN = '"cancelScan":"full"';

/** The cycle's name in run reports: its steps in order ("create+update", "cancel", ...). */
export function cycleName(steps: readonly SgpStep[]): string {
  return STEP_ORDER.filter((s) => steps.includes(s)).join('+');
}

/** Cycles that include the cancellation step (their last success sets the next window). */
const CANCEL_CYCLES = ['cancel', 'create+cancel', 'update+cancel', 'create+update+cancel'];

export async function runSgpCycle(
  deps: SgpCycleDeps,
  req: SgpCycleRequest,
): Promise<SgpCycleResult> {
  const steps = new Set(req.steps);
  const cycle = cycleName(req.steps);
  const recorder = await deps.runs.start({
    integration: deps.integration,
    kind: 'sgp',
    cycle,
    trigger: req.trigger,
    dryRun: req.dryRun,
    owner: deps.owner,
    exclusive: deps.exclusive,
  });
  req.onStart?.(recorder.id);
  const log = deps.logger.child({ integration: deps.integration, runId: recorder.id, cycle });
  log.info({ dryRun: !!req.dryRun, trigger: req.trigger }, 'sgp cycle started');
  const scanner = new Scanner(deps, req, recorder);
  try {
    if (steps.has('create') || steps.has('update')) {
      const active = new Set([...steps].filter((s) => s !== 'cancel'));
      await scanner.scan('contracts', {}, active);
    }
    if (steps.has('cancel')) {
      const window = await cancelWindow(deps);
      recorder.setMeta(window ? { cancelScan: 'window', window } : { cancelScan: 'full' });
      for (const status of [CONTRACT_STATUS.cancelled, CONTRACT_STATUS.technicalInfeasibility]) {
        await scanner.scan(`status ${status}`, { status, window }, new Set(['cancel']));
      }
    }
    await recorder.finish();
    log.info({ counts: recorder.snapshot() }, 'sgp cycle finished');
    return { runId: recorder.id, cycle, status: 'succeeded', counts: recorder.snapshot() };
  } catch (err) {
    const error = describeFailure(err, req.signal);
    await recorder.finish({ error });
    log.error(
      { code: error.code, reason: error.message, counts: recorder.snapshot() },
      'sgp cycle failed',
    );
    return { runId: recorder.id, cycle, status: 'failed', counts: recorder.snapshot(), error };
  }
}

function describeFailure(err: unknown, signal?: AbortSignal): { message: string; code: string } {
  if (err instanceof SgpError)
    return { message: `SGP could not be read: ${err.message}`, code: err.code };
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : 'stopped';
    return {
      message: `the cycle was stopped before it finished (${why}); the next cycle resumes`,
      code: 'aborted',
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: `internal error: ${maskPii(message)}`, code: 'internal' };
}

/**
 * The window of status changes the cancellation scan reads: everything since the last successful
 * cancellation (one day of margin), or no window (the whole base) when no full scan succeeded in
 * the last 24 hours, so a change SGP dated oddly is still caught within a day.
 */
async function cancelWindow(deps: SgpCycleDeps): Promise<DayWindow | undefined> {
  const now = deps.now();
  const full = await deps.runs.lastSucceeded(deps.integration, CANCEL_CYCLES, FULL_CANCEL_SCAN);
  if (!full || now.getTime() - new Date(full.startedAt).getTime() > DAY_MS) return undefined;
  const last = await deps.runs.lastSucceeded(deps.integration, CANCEL_CYCLES);
  return dayWindow('data_contrato_status', new Date(last?.startedAt ?? full.startedAt), now);
}

/** Yields `source` while already fetching its next item, so SGP's latency overlaps our work. */
async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = source.next();
      // Seen by the `await` above on the next turn; this only keeps an early exit quiet.
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    await source.return(undefined).catch(() => undefined);
  }
}

/** Waits `ms`, or less when the cycle is stopped meanwhile (the stop is seen after the rest). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

class Scanner {
  private readonly applier: SgpApplier;

  constructor(
    private readonly deps: SgpCycleDeps,
    private readonly req: SgpCycleRequest,
    private readonly recorder: SyncRunRecorder,
  ) {
    this.applier = new SgpApplier(deps.db, { integration: deps.integration, now: deps.now });
  }

  async scan(label: string, query: ContractQuery, steps: ReadonlySet<SgpStep>): Promise<void> {
    let pageNo = 0;
    for await (const page of prefetched(this.deps.sgp.contractPages(query, this.req.signal))) {
      pageNo++;
      const started = performance.now();
      const counts = await this.page(page, steps);
      const rest = (performance.now() - started) * (this.deps.restRatio ?? 0);
      if (rest > 0) await (this.deps.rest ?? pause)(rest, this.req.signal);
      const pages = Math.max(pageNo, Math.ceil(page.total / this.deps.sgp.pageSize));
      this.recorder.bump('pages');
      this.recorder.progress({
        scan: label,
        page: pageNo,
        pages,
        contracts: this.recorder.count('contracts'),
      });
      await this.recorder.flush();
      this.req.onPage?.({
        runId: this.recorder.id,
        scan: label,
        page: pageNo,
        pages,
        contracts: page.contracts.length,
        counts,
      });
    }
  }

  private async page(
    page: SgpContractPage,
    steps: ReadonlySet<SgpStep>,
  ): Promise<Record<string, number>> {
    const { db, sgp } = this.deps;
    const counts: Record<string, number> = {};
    const add = (item: Parameters<SyncRunRecorder['add']>[0]) => {
      counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
      this.recorder.add(item);
    };
    for (const r of page.rejected) {
      add({ itemId: r.itemId, outcome: 'error', reason: 'unreadable_contract', message: r.reason });
    }
    const contracts = page.contracts;
    this.recorder.bump('contracts', contracts.length);
    const byCode = await clientsByCode(
      db,
      contracts.map((c) => c.contractId),
    );
    const fresh = steps.has('create')
      ? contracts.filter(
          (c) =>
            !byCode.has(c.contractId) && c.status !== null && !CANCELLING_STATUSES.has(c.status),
        )
      : [];
    const placements = new Map<string, SgpPlacement | null>();
    const found = await mapLimit(fresh, this.deps.lookupConcurrency ?? 8, (c) =>
      sgp.placement(c.contractId, this.req.signal),
    );
    fresh.forEach((c, i) => placements.set(c.contractId, found[i] ?? null));
    const names = [...placements.values()].map((p) => p?.ctoName).filter((n): n is string => !!n);
    const snapshot = {
      clientsByCode: byCode,
      reservationsByDocument: await reservationsByDocument(
        db,
        fresh.map((c) => c.document).filter((d): d is string => d !== null),
      ),
      boxesByName: await boxesByName(db, names),
      placements,
    };
    const plan = planPage(contracts, snapshot, { steps, now: this.deps.now() });
    this.recorder.bump('unchanged', plan.unchanged);
    this.recorder.bump('ignored', plan.ignored);
    const boxIds = new Set<string>();
    if (this.req.dryRun) {
      for (const p of plan.plans) planItems(p).forEach(add);
    } else {
      for (const applied of await this.applier.applyPage(plan.plans, this.req.signal)) {
        applied.items.forEach(add);
        for (const id of applied.boxIds) boxIds.add(id);
      }
    }
    // After commit, before the next page: the next viability query sees this page's changes.
    if (boxIds.size) await this.deps.network.boxesChanged(boxIds);
    return counts;
  }
}
