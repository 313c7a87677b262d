// An SGP integration's cycles as the server and the CLI run them: the profile's sealed
// credentials opened, the client built, and the cycle run under the integration's lease, so two
// cycles of one integration never overlap, whatever process or instance starts them.
import { randomBytes } from 'node:crypto';
import type { NetworkChanges } from '../../context.js';
import { ConflictError, ValidationError } from '../../errors.js';
import type { JobRunContext } from '../../jobs/scheduler.js';
import { withLease } from '../../jobs/lease.js';
import type { Logger } from '../../logger.js';
import { dbUrl, type Db } from '../../ozmap-model/db/client.js';
import { SecretBoxError } from '../../security/secret-box.js';
import type { Integrations, SyncTarget } from '../../services/integrations.js';
import type { StartedRun, SyncRunner } from '../sync-runs/registry.js';
import type { SyncRunStore } from '../sync-runs/store.js';
import { SgpClient, type SgpAuth, type SgpClientOptions } from './client.js';
import { runSgpCycleInThread } from './cycle-thread.js';
import { cycleName, runSgpCycle, type SgpCycleRequest, type SgpCycleResult } from './cycle.js';
import type { SgpStep } from './planner.js';

export interface SgpSyncDeps {
  db: Db;
  network: NetworkChanges;
  integrations: Integrations;
  runs: SyncRunStore;
  logger: Logger;
  now: () => Date;
  /** This process, as lease holder and run owner. */
  owner: string;
  leaseMs: number;
  /** Client tuning (tests shorten timeouts and backoff). */
  client?: Partial<
    Pick<SgpClientOptions, 'timeoutMs' | 'retries' | 'backoffMs' | 'sleep' | 'pageSize'>
  >;
  /** How often a scheduled cycle looks again for a busy integration (default 5 s). */
  busyRetryMs?: number;
  /** Run cycles in a worker thread of their own (the server on PostgreSQL; see cycle-thread). */
  thread?: { logLevel: string; statementTimeoutMs?: number };
  /** See SgpCycleDeps.restRatio. */
  restRatio?: number;
}

export type SgpRunRequest = Omit<SgpCycleRequest, 'steps'> & { steps: readonly SgpStep[] };

/** A cycle of this integration is running somewhere (this or another process). */
export class SyncBusyError extends ConflictError {
  constructor(
    integration: string,
    readonly holder: string,
  ) {
    super(
      `a cycle of ${integration} is running already (${holder}); try again when it ends`,
      'integration',
    );
  }
}

export const SGP_STEPS: readonly SgpStep[] = ['create', 'update', 'cancel'];

/** `--only create|update|cancel`, or every step. */
export function stepsFor(only?: string): SgpStep[] {
  if (only === undefined) return [...SGP_STEPS];
  if (!(SGP_STEPS as readonly string[]).includes(only)) {
    throw new ValidationError('only must be create, update or cancel', 'only');
  }
  return [only as SgpStep];
}

function authOf(t: SyncTarget): SgpAuth {
  const app = typeof t.settings.app === 'string' ? t.settings.app : undefined;
  const user = typeof t.settings.user === 'string' ? t.settings.user : undefined;
  if (t.token && app) return { kind: 'token', token: t.token, app };
  if (t.password && user) return { kind: 'basic', user, password: t.password };
  throw new ValidationError(`integration ${t.name} has no usable SGP credentials`, 'token');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

export class SgpSync implements SyncRunner {
  readonly steps = SGP_STEPS;

  constructor(private readonly deps: SgpSyncDeps) {}

  /**
   * Runs one cycle now. Rejects with NotFoundError for an unknown integration and SyncBusyError
   * when one of its cycles is running; any other failure ends in a failed run report.
   */
  async run(name: string, req: SgpRunRequest): Promise<SgpCycleResult> {
    const { deps } = this;
    const target = await this.open(name, req);
    if ('failed' in target) return target.failed;
    // Each run holds the lease under its own id: a lease is re-entrant for its owner, and two
    // cycles started in one process must exclude each other too.
    const holder = `${deps.owner}:run-${randomBytes(3).toString('hex')}`;
    const lease = await withLease(
      deps.db,
      `sync:${name}`,
      { owner: holder, ttlMs: deps.leaseMs, now: deps.now },
      async (lost) => {
        const signal = req.signal ? AbortSignal.any([req.signal, lost]) : lost;
        if (deps.thread && !deps.client?.sleep) {
          return runSgpCycleInThread(
            {
              dbUrl: dbUrl(deps.db),
              statementTimeoutMs: deps.thread.statementTimeoutMs,
              logLevel: deps.thread.logLevel,
              clockOffsetMs: deps.now().getTime() - Date.now(),
              runs: {
                maxItemsPerRun: deps.runs.maxItemsPerRun,
                staleAfterMs: deps.runs.staleAfterMs,
              },
              client: { baseUrl: target.url, auth: authOf(target), ...deps.client },
              integration: name,
              owner: holder,
              restRatio: deps.restRatio,
              request: { steps: req.steps, dryRun: req.dryRun, trigger: req.trigger },
            },
            { signal, onStart: req.onStart, onPage: req.onPage },
            { network: deps.network, logger: deps.logger },
          );
        }
        const client = new SgpClient({
          baseUrl: target.url,
          auth: authOf(target),
          logger: deps.logger.child({ integration: name }),
          ...deps.client,
        });
        try {
          return await runSgpCycle(
            {
              db: deps.db,
              network: deps.network,
              sgp: client,
              runs: deps.runs,
              logger: deps.logger,
              now: deps.now,
              integration: name,
              owner: holder,
              exclusive: true,
              restRatio: deps.restRatio,
            },
            { ...req, signal },
          );
        } finally {
          client.close();
        }
      },
    );
    if (!lease.ran) throw new SyncBusyError(name, lease.holder);
    return lease.value;
  }

  /** The integration's target, or a failed run when its sealed secrets do not open. */
  private async open(
    name: string,
    req: SgpRunRequest,
  ): Promise<SyncTarget | { failed: SgpCycleResult }> {
    try {
      const target = await this.deps.integrations.syncTarget(name);
      if (target.kind !== 'sgp') {
        throw new ValidationError(
          `integration ${name} is a ${target.kind} integration, not sgp`,
          'integration',
        );
      }
      return target;
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      // The key changed (SECRETS_KEY) or the row was altered: say so in a run of its own.
      const cycle = cycleName(req.steps);
      const run = await this.deps.runs.start({
        integration: name,
        kind: 'sgp',
        cycle,
        trigger: req.trigger,
        dryRun: req.dryRun,
        owner: this.deps.owner,
      });
      req.onStart?.(run.id);
      const error = {
        code: 'credentials_unreadable',
        message: `the stored SGP credentials do not open (${err.message}); set them again with alcance integration update ${name} --token … --app …`,
      };
      await run.finish({ error });
      return { failed: { runId: run.id, cycle, status: 'failed', counts: run.snapshot(), error } };
    }
  }

  /** Starts a cycle in the background (admin API); resolves once its run report exists. */
  start(
    name: string,
    options: { dryRun?: boolean; only?: string; trigger: SgpCycleRequest['trigger'] },
  ): Promise<StartedRun> {
    const steps = stepsFor(options.only);
    return new Promise((resolve, reject) => {
      let started = false;
      const done = this.run(name, {
        steps,
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
            'sgp cycle crashed',
          );
        return undefined;
      });
    });
  }

  /**
   * A scheduled cycle: when another cycle of the integration holds it (the 10- and 30-minute
   * slots often start together), waits for it, up to `maxWaitMs`, then leaves it to the next slot.
   */
  async runScheduled(
    name: string,
    steps: readonly SgpStep[],
    job: Pick<JobRunContext, 'signal' | 'logger'>,
    maxWaitMs: number,
  ): Promise<void> {
    const deadline = this.deps.now().getTime() + maxWaitMs;
    for (;;) {
      try {
        const result = await this.run(name, { steps, trigger: 'schedule', signal: job.signal });
        if (result.status === 'failed')
          throw new Error(result.error?.message ?? 'sgp cycle failed');
        return;
      } catch (err) {
        if (!(err instanceof SyncBusyError)) throw err;
        if (this.deps.now().getTime() >= deadline) {
          job.logger.info(
            { integration: name, holder: err.holder },
            'sgp cycle skipped: integration busy',
          );
          return;
        }
        await sleep(this.deps.busyRetryMs ?? 5_000, job.signal);
      }
    }
  }
}
