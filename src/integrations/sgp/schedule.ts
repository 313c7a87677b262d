// The server's SGP schedule: for every enabled SGP integration, a job for its updates+creations
// (every 10 minutes by default) and one for its cancellations (every 30), on the JobScheduler
// (each slot runs once across instances). Integrations added, changed, disabled or removed are
// picked up at the next refresh.
import type { JobScheduler } from '../../jobs/scheduler.js';
import type { Logger } from '../../logger.js';
import type { Integrations } from '../../services/integrations.js';
import type { SgpStep } from './planner.js';
import type { SgpSync } from './sync.js';

interface Wanted {
  integration: string;
  everyMs: number;
  steps: SgpStep[];
}

const MINUTE = 60_000;

function minutes(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

export class SgpSchedules {
  private readonly registered = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobScheduler,
    private readonly integrations: Integrations,
    private readonly sync: SgpSync,
    private readonly logger: Logger,
  ) {}

  /** Job names of the integration's two cycles. */
  static jobNames(integration: string): { update: string; cancel: string } {
    return { update: `sgp:${integration}:update`, cancel: `sgp:${integration}:cancel` };
  }

  /** Registers, re-registers (new interval) and unregisters jobs to match the profiles. */
  async refresh(): Promise<void> {
    const wanted = new Map<string, Wanted>();
    for (const p of await this.integrations.list()) {
      if (p.kind !== 'sgp' || !p.enabled) continue;
      const names = SgpSchedules.jobNames(p.name);
      wanted.set(names.update, {
        integration: p.name,
        everyMs: minutes(p.settings.updateEveryMinutes, 10) * MINUTE,
        steps: ['create', 'update'],
      });
      wanted.set(names.cancel, {
        integration: p.name,
        everyMs: minutes(p.settings.cancelEveryMinutes, 30) * MINUTE,
        steps: ['cancel'],
      });
    }
    for (const [job, everyMs] of this.registered) {
      if (wanted.get(job)?.everyMs === everyMs) continue;
      this.jobs.unregister(job);
      this.registered.delete(job);
    }
    for (const [job, w] of wanted) {
      if (this.registered.has(job)) continue;
      this.jobs.register(job, { everyMs: w.everyMs }, (run) =>
        this.sync.runScheduled(w.integration, w.steps, run, w.everyMs),
      );
      this.registered.set(job, w.everyMs);
      this.logger.info({ job, everyMinutes: w.everyMs / MINUTE }, 'sgp cycle scheduled');
    }
  }

  /** Refreshes every `everyMs` (a profile change is live within that). */
  start(everyMs = MINUTE): void {
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.logger.error({ err: (err as Error).message }, 'sgp schedule refresh failed'),
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
