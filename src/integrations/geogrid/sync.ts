// A Geogrid integration's runs as the server, the CLI and the webhook start them: the profile's
// sealed token opened, its project link checked, the client built, and the full run held under the
// integration's lease, so two runs of one integration never overlap, whatever process starts them.
import { randomBytes } from 'node:crypto';
import type { NetworkChanges } from '../../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { JobRunContext } from '../../jobs/scheduler.js';
import { withLease } from '../../jobs/lease.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import { SecretBoxError } from '../../security/secret-box.js';
import type { Integrations, SyncTarget } from '../../services/integrations.js';
import { geogridElements, type GeogridElement } from '../../services/sync-settings.js';
import type { StartedRun, SyncRunner } from '../sync-runs/registry.js';
import type { SyncRunRecorder, SyncRunStore, SyncTrigger } from '../sync-runs/store.js';
import { GeogridApplier } from './applier.js';
import { GeogridClient, type GeogridClientOptions } from './client.js';
import { notificationItemIds } from './converters.js';
import { localItems } from './inventory.js';
import type { GeogridLinks } from './links.js';
import { planRemoval } from './planner.js';
import { pushConfirmed, type PushTotals } from './push.js';
import {
  runFailure,
  runGeogridSync,
  type GeogridRunRequest,
  type GeogridRunResult,
} from './run.js';
import { PageScanner, type GeogridApi } from './scan.js';

export interface GeogridSyncDeps {
  db: Db;
  network: NetworkChanges;
  integrations: Integrations;
  runs: SyncRunStore;
  links: GeogridLinks;
  logger: Logger;
  now: () => Date;
  /** This process, as lease holder and run owner. */
  owner: string;
  leaseMs: number;
  /** Client tuning (tests shorten timeouts and backoff). */
  client?: Partial<Omit<GeogridClientOptions, 'apiUrl' | 'token'>>;
  /** Tests and benchmarks may hand a ready client (the production one, pointed elsewhere). */
  api?: (target: SyncTarget) => GeogridApi & { close(): void };
}

/** A run of this integration is in progress somewhere (this or another process). */
/**
 * Each run holds its lease under an id of its own: a lease is re-entrant for its owner, so two
 * runs started in one process under the process id would both get it.
 */
function runHolder(owner: string): string {
  return `${owner}:run-${randomBytes(3).toString('hex')}`;
}

export class GeogridBusyError extends ConflictError {
  constructor(
    integration: string,
    readonly holder: string,
  ) {
    super(
      `a Geogrid sync of ${integration} is running already (${holder}); try again when it ends`,
      'integration',
    );
  }
}

export interface DeltaResult {
  runId: string;
  status: 'succeeded' | 'failed';
  items: number;
  counts: Record<string, unknown>;
  error?: { message: string; code: string };
}

/** At most this many items per notification (a bigger change waits for the 04:00 run). */
export const MAX_DELTA_ITEMS = 500;

interface Opened {
  target: SyncTarget;
  projectId: string;
  elements: Set<GeogridElement>;
}

export class GeogridSync implements SyncRunner {
  readonly steps: readonly string[] = [];
  /** Deltas of one integration run one after another in this process. */
  private readonly deltaChains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: GeogridSyncDeps) {}

  private client(target: SyncTarget): GeogridApi & { close(): void } {
    if (this.deps.api) return this.deps.api(target);
    if (!target.token)
      throw new ValidationError(`integration ${target.name} has no token`, 'token');
    const perMinute = target.settings.requestsPerMinute;
    return new GeogridClient({
      apiUrl: target.url,
      token: target.token,
      logger: this.deps.logger.child({ integration: target.name }),
      ...(typeof perMinute === 'number' ? { requestsPerMinute: perMinute } : {}),
      ...this.deps.client,
    });
  }

  /** The integration's target and project, or why it cannot run (a failed run says so). */
  private async open(name: string): Promise<Opened | { error: { message: string; code: string } }> {
    let target: SyncTarget;
    try {
      target = await this.deps.integrations.syncTarget(name);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      return {
        error: {
          code: 'credentials_unreadable',
          message: `the stored Geogrid token does not open (${err.message}); set it again with alcance integration update ${name} --token …`,
        },
      };
    }
    if (target.kind !== 'geogrid') {
      throw new ValidationError(
        `integration ${name} is a ${target.kind} integration, not geogrid`,
        'integration',
      );
    }
    const projectId = await this.deps.links.projectOf(name);
    if (!projectId) {
      return {
        error: {
          code: 'not_linked',
          message: `integration ${name} fills no project: link one with alcance integration update ${name} --project-id ID (or --project-name NAME)`,
        },
      };
    }
    return { target, projectId, elements: new Set(geogridElements(target.settings.elements)) };
  }

  private async failedRun(
    name: string,
    trigger: SyncTrigger,
    dryRun: boolean,
    error: { message: string; code: string },
    onStart?: (id: string) => void,
  ): Promise<GeogridRunResult> {
    const run = await this.deps.runs.start({
      integration: name,
      kind: 'geogrid',
      cycle: 'full',
      trigger,
      dryRun,
      owner: this.deps.owner,
    });
    onStart?.(run.id);
    await run.finish({ error });
    return { runId: run.id, status: 'failed', counts: run.snapshot(), error };
  }

  /**
   * One full run now. Rejects with NotFoundError for an unknown integration and GeogridBusyError
   * when one of its runs is in progress; any other failure ends in a failed run report.
   */
  async run(
    name: string,
    req: Omit<GeogridRunRequest, 'trigger'> & { trigger: SyncTrigger },
  ): Promise<GeogridRunResult> {
    const { deps } = this;
    const opened = await this.open(name);
    if ('error' in opened)
      return this.failedRun(name, req.trigger, !!req.dryRun, opened.error, req.onStart);
    const lease = await withLease(
      deps.db,
      `sync:${name}`,
      { owner: runHolder(deps.owner), ttlMs: deps.leaseMs, now: deps.now },
      async (lost) => {
        let api: (GeogridApi & { close(): void }) | undefined;
        try {
          api = this.client(opened.target);
        } catch (err) {
          return this.failedRun(name, req.trigger, !!req.dryRun, runFailure(err), req.onStart);
        }
        try {
          return await runGeogridSync(
            {
              db: deps.db,
              network: deps.network,
              geogrid: api,
              runs: deps.runs,
              logger: deps.logger,
              now: deps.now,
              integration: name,
              projectId: opened.projectId,
              elements: opened.elements,
              owner: deps.owner,
            },
            { ...req, signal: req.signal ? AbortSignal.any([req.signal, lost]) : lost },
          );
        } finally {
          api.close();
        }
      },
    );
    if (!lease.ran) throw new GeogridBusyError(name, lease.holder);
    return lease.value;
  }

  /** Starts a full run in the background (admin API); resolves once its run report exists. */
  start(
    name: string,
    options: { dryRun?: boolean; only?: string; trigger: SyncTrigger },
  ): Promise<StartedRun> {
    return new Promise((resolve, reject) => {
      let started = false;
      const done = this.run(name, {
        dryRun: options.dryRun,
        trigger: options.trigger,
        onStart: (runId) => {
          started = true;
          resolve({ runId, done });
        },
      }).catch((err: unknown) => {
        if (!started) reject(err instanceof Error ? err : new Error(String(err)));
        else
          this.deps.logger.error(
            { integration: name, err: (err as Error).message },
            'geogrid sync crashed',
          );
        return undefined;
      });
    });
  }

  /** The daily run: busy elsewhere means someone is doing it already. */
  async runScheduled(name: string, job: Pick<JobRunContext, 'signal' | 'logger'>): Promise<void> {
    try {
      const result = await this.run(name, { trigger: 'schedule', signal: job.signal });
      if (result.status === 'failed')
        throw new Error(result.error?.message ?? 'geogrid sync failed');
    } catch (err) {
      if (!(err instanceof GeogridBusyError)) throw err;
      job.logger.info(
        { integration: name, holder: err.holder },
        'geogrid sync skipped: a run is in progress',
      );
    }
  }

  /** Sends confirmed clients to Geogrid (the push job between daily runs). */
  async push(
    name: string,
    job?: Pick<JobRunContext, 'signal'>,
    trigger: SyncTrigger = 'schedule',
  ): Promise<PushTotals | null> {
    const opened = await this.open(name);
    if ('error' in opened) return null;
    const lease = await withLease(
      this.deps.db,
      `geogrid-push:${name}`,
      { owner: runHolder(this.deps.owner), ttlMs: this.deps.leaseMs, now: this.deps.now },
      async (lost) => {
        const api = this.client(opened.target);
        try {
          return await pushConfirmed(
            {
              db: this.deps.db,
              geogrid: api,
              integration: name,
              logger: this.deps.logger,
              now: this.deps.now,
              runs: this.deps.runs,
              owner: this.deps.owner,
            },
            { signal: job?.signal ? AbortSignal.any([job.signal, lost]) : lost, trigger },
          );
        } finally {
          api.close();
        }
      },
    );
    return lease.ran ? lease.value : null;
  }

  /**
   * A change notification: the items it names are read from Geogrid now and applied at once
   * (what a lost notification misses, the 04:00 run reconciles). Refused (409) when the
   * integration fills no project or is disabled; 400 when the body names no item.
   */
  async delta(name: string, body: unknown): Promise<DeltaResult> {
    const ids = notificationItemIds(body);
    if (ids.length === 0) {
      throw new ValidationError(
        'the notification names no network item (idItemRede, id, dados.id or ids)',
        'idItemRede',
      );
    }
    if (ids.length > MAX_DELTA_ITEMS) {
      throw new ValidationError(
        `a notification may name at most ${MAX_DELTA_ITEMS} items; the daily run covers bigger changes`,
        'ids',
      );
    }
    const opened = await this.open(name);
    if ('error' in opened)
      throw new ConflictError(`notification ignored: ${opened.error.message}`, 'integration');
    if (!opened.target.enabled) {
      throw new ConflictError(
        `notification ignored: integration ${name} is disabled`,
        'integration',
      );
    }
    const previous = this.deltaChains.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.applyDelta(name, opened, ids));
    this.deltaChains.set(name, next);
    try {
      return await next;
    } finally {
      if (this.deltaChains.get(name) === next) this.deltaChains.delete(name);
    }
  }

  private async applyDelta(name: string, opened: Opened, ids: string[]): Promise<DeltaResult> {
    const { deps } = this;
    const recorder = await deps.runs.start({
      integration: name,
      kind: 'geogrid',
      cycle: 'delta',
      trigger: 'webhook',
      owner: deps.owner,
      meta: { itemIds: ids.slice(0, 50) },
    });
    const api = this.client(opened.target);
    try {
      const scanner = new PageScanner(
        {
          db: deps.db,
          network: deps.network,
          geogrid: api,
          integration: name,
          projectId: opened.projectId,
          elements: opened.elements,
          now: deps.now,
        },
        recorder,
        { dryRun: false, seenAt: deps.now(), lookUpUnknownClients: true },
      );
      const still = await api.itemsByIds(ids);
      if (still.length) await scanner.page(still);
      const found = new Set(still.map((i) => i.id));
      const gone = ids.filter((id) => !found.has(id));
      if (gone.length) await this.removeGone(name, opened.projectId, gone, recorder);
      await recorder.finish();
      return {
        runId: recorder.id,
        status: 'succeeded',
        items: ids.length,
        counts: recorder.snapshot(),
      };
    } catch (err) {
      const error = runFailure(err);
      await recorder.finish({ error });
      return {
        runId: recorder.id,
        status: 'failed',
        items: ids.length,
        counts: recorder.snapshot(),
        error,
      };
    } finally {
      api.close();
    }
  }

  private async removeGone(
    name: string,
    projectId: string,
    ids: string[],
    recorder: SyncRunRecorder,
  ): Promise<void> {
    const local = await localItems(this.deps.db, name, ids);
    const plans = [...local.values()]
      .filter((l) => l.state !== 'unlinked')
      .map((l) => planRemoval(l, 'deleted in Geogrid'));
    if (plans.length === 0) return;
    const applier = new GeogridApplier(this.deps.db, {
      integration: name,
      projectId,
      now: this.deps.now,
      seenAt: this.deps.now(),
    });
    const applied = await applier.apply(plans, []);
    applied.items.forEach((i) => recorder.add(i));
    if (applied.boxIds.size) await this.deps.network.boxesChanged(applied.boxIds);
  }

  /** NotFoundError unless `name` is a Geogrid integration. */
  async ensure(name: string): Promise<void> {
    const profile = await this.deps.integrations.profile(name);
    if (profile.kind !== 'geogrid' || profile.url === undefined)
      throw new NotFoundError('Geogrid integration', name);
  }
}
