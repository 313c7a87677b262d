// The server's Geogrid schedule: for every enabled Geogrid integration that fills a project, the
// full sync every day at 04:00 America/Sao_Paulo (whatever the server's own time zone) and the
// push of confirmed clients every few minutes, on the JobScheduler (each slot runs once across
// instances). Integrations added, changed, unlinked or removed are picked up at the next refresh.
import type { JobScheduler, Schedule } from '../../jobs/scheduler.js';
import type { Logger } from '../../logger.js';
import type { Integrations } from '../../services/integrations.js';
import type { GeogridLinks } from './links.js';
import type { GeogridSync } from './sync.js';

export const DAILY: Schedule = { dailyAt: '04:00', timeZone: 'America/Sao_Paulo' };
const MINUTE = 60_000;

export class GeogridSchedules {
  private readonly registered = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobScheduler,
    private readonly integrations: Integrations,
    private readonly links: GeogridLinks,
    private readonly sync: GeogridSync,
    private readonly logger: Logger,
  ) {}

  static jobNames(integration: string): { full: string; push: string } {
    return { full: `geogrid:${integration}:full`, push: `geogrid:${integration}:push` };
  }

  /** Registers and unregisters jobs to match the profiles and their links. */
  async refresh(): Promise<void> {
    const wanted = new Map<
      string,
      { key: string; schedule: Schedule; run: Parameters<JobScheduler['register']>[2] }
    >();
    for (const p of await this.integrations.list()) {
      if (p.kind !== 'geogrid' || !p.enabled) continue;
      if (!(await this.links.projectOf(p.name))) continue;
      const names = GeogridSchedules.jobNames(p.name);
      const minutes =
        typeof p.settings.pushEveryMinutes === 'number' ? p.settings.pushEveryMinutes : 5;
      wanted.set(names.full, {
        key: 'daily',
        schedule: DAILY,
        run: (job) => this.sync.runScheduled(p.name, job),
      });
      wanted.set(names.push, {
        key: `every ${minutes}`,
        schedule: { everyMs: minutes * MINUTE },
        run: async (job) => {
          await this.sync.push(p.name, job);
        },
      });
    }
    for (const [job, key] of this.registered) {
      if (wanted.get(job)?.key === key) continue;
      this.jobs.unregister(job);
      this.registered.delete(job);
    }
    for (const [job, w] of wanted) {
      if (this.registered.has(job)) continue;
      this.jobs.register(job, w.schedule, w.run);
      this.registered.set(job, w.key);
      this.logger.info({ job, schedule: w.key }, 'geogrid job scheduled');
    }
  }

  /** Refreshes every `everyMs` (a profile or link change is live within that). */
  start(everyMs = MINUTE): void {
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.logger.error({ err: (err as Error).message }, 'geogrid schedule refresh failed'),
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
