import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import { isUniqueViolation } from '../ozmap-model/db/client.js';
import { withLease } from './lease.js';
import { compileSchedule, type CompiledSchedule, type Schedule } from './schedule.js';

export type { Schedule } from './schedule.js';

export interface JobRunContext {
  name: string;
  /** The schedule slot this run is for (`manual:<time>` for runNow). */
  slot: string;
  /** Aborted when the scheduler stops or this instance lost the job's lease: stop early. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobFunction = (ctx: JobRunContext) => Promise<void>;

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Unique per process; defaults to host:pid:random. */
  owner?: string;
  /** A run's claim lasts this long without renewal (renewed every third of it). */
  leaseMs?: number;
  /** How often due slots are looked for besides the timer at each slot's start. */
  pollMs?: number;
  /** How long stop() waits for aborted runs to finish. */
  stopTimeoutMs?: number;
}

export type RunOutcome = 'ran' | 'busy' | 'done';

interface Job {
  name: string;
  schedule: CompiledSchedule;
  run: JobFunction;
  timer?: NodeJS.Timeout;
  /** The latest slot known to be finished (by anyone), so polls skip the database. */
  doneSlot?: string;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** host:pid:random, unique per process, readable in the JobRun table. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Runs registered jobs once per schedule slot across every instance sharing the database.
 *
 * A run takes the lease `job:<name>` (so one job never runs twice at once, whatever instance or
 * CLI process starts it), then claims its slot in JobRun; a slot already finished is skipped, a
 * slot left `running` by an owner that stopped renewing is taken over and run again. Slots are
 * computed from the schedule (epoch-aligned intervals, wall-clock times in a named zone), never
 * from an instance's start time, so instances agree on them. Jobs must be idempotent: a slot
 * taken over after a crash runs again from the start.
 */
export class JobScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<
    string,
    { abort: AbortController; done: Promise<RunOutcome> }
  >();
  private readonly now: () => Date;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly stopTimeoutMs: number;
  private poll?: NodeJS.Timeout;
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.owner = options.owner ?? processOwner();
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 15_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  get ownerId(): string {
    return this.owner;
  }

  /** Adds a job; its schedule is checked now (ScheduleError). Names are unique. */
  register(name: string, schedule: Schedule, run: JobFunction): void {
    if (this.jobs.has(name)) throw new Error(`job ${name} is already registered`);
    const job: Job = { name, schedule: compileSchedule(schedule), run };
    this.jobs.set(name, job);
    if (this.started) {
      this.arm(job);
      void this.runSlot(job);
    }
  }

  /** Removes a job; a run in progress finishes. */
  unregister(name: string): void {
    const job = this.jobs.get(name);
    if (!job) return;
    clearTimeout(job.timer);
    this.jobs.delete(name);
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.arm(job);
    this.poll = setInterval(() => void this.runDue(), this.pollMs);
    this.poll.unref();
    void this.runDue();
  }

  /** Stops the timers, aborts running jobs and waits for them (up to stopTimeoutMs). */
  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.poll);
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort(new Error('scheduler stopping'));
    if (runs.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(runs.map((r) => r.done)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.stopTimeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Runs every job whose current slot is not finished yet; resolves when those runs end. */
  async runDue(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((job) => this.runSlot(job)));
  }

  /** Runs a job now, outside its schedule, unless it is running somewhere already. */
  async runNow(name: string): Promise<'ran' | 'busy'> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    const outcome = await this.runSlot(job, true);
    return outcome === 'ran' ? 'ran' : 'busy';
  }

  private arm(job: Job): void {
    clearTimeout(job.timer);
    const now = this.now();
    const delay = job.schedule.slotAt(now).next.getTime() - now.getTime();
    job.timer = setTimeout(
      () => {
        if (!this.started || this.jobs.get(job.name) !== job) return;
        this.arm(job);
        void this.runSlot(job);
      },
      Math.min(Math.max(delay, 0), MAX_TIMER_MS),
    );
    job.timer.unref();
  }

  private runSlot(job: Job, manual = false): Promise<RunOutcome> {
    const active = this.running.get(job.name);
    if (active) return manual ? Promise.resolve('busy') : active.done;
    const now = this.now();
    const slot = manual ? `manual:${now.toISOString()}` : job.schedule.slotAt(now).key;
    if (!manual && job.doneSlot === slot) return Promise.resolve('done');
    const abort = new AbortController();
    const done = this.runClaimed(job, slot, manual, abort.signal).catch((err: unknown) => {
      // The database failed around the run (claim, lease, bookkeeping): the next poll retries.
      this.options.logger.error(
        { job: job.name, slot, err: summarise(err) },
        'job scheduling failed',
      );
      return 'busy' as const;
    });
    this.running.set(job.name, { abort, done });
    void done.finally(() => this.running.delete(job.name));
    return done;
  }

  private async runClaimed(
    job: Job,
    slot: string,
    manual: boolean,
    stopping: AbortSignal,
  ): Promise<RunOutcome> {
    const { db } = this.options;
    const outcome = await withLease(
      db,
      `job:${job.name}`,
      { owner: this.owner, ttlMs: this.leaseMs, now: this.now },
      async (lost): Promise<RunOutcome> => {
        if (!(await this.claim(job.name, slot))) {
          if (!manual) job.doneSlot = slot;
          return 'done';
        }
        const logger = this.options.logger.child({ job: job.name, slot });
        const started = Date.now();
        let error: string | null = null;
        try {
          await job.run({
            name: job.name,
            slot,
            signal: AbortSignal.any([stopping, lost]),
            logger,
          });
        } catch (err) {
          error = summarise(err).message;
          logger.error({ err: summarise(err) }, 'job failed');
        }
        await db.jobRun.updateMany({
          where: { name: job.name, slot, owner: this.owner },
          data: { status: error ? 'failed' : 'succeeded', finishedAt: this.now(), error },
        });
        if (!manual) job.doneSlot = slot;
        logger.debug({ ms: Date.now() - started, ok: !error }, 'job finished');
        return 'ran';
      },
    );
    return outcome.ran ? outcome.value : 'busy';
  }

  /** Claims a slot for this instance; false when it is finished already. Runs under the lease. */
  private async claim(name: string, slot: string): Promise<boolean> {
    const { db, logger } = this.options;
    const existing = await db.jobRun.findUnique({ where: { name_slot: { name, slot } } });
    if (existing && existing.status !== 'running') return false;
    if (existing) {
      // Still `running` while we hold the job's lease: its owner stopped renewing (it died).
      logger.warn(
        { job: name, slot, previousOwner: existing.owner },
        'taking over an abandoned run',
      );
      await db.jobRun.update({
        where: { name_slot: { name, slot } },
        data: { owner: this.owner, startedAt: this.now() },
      });
      return true;
    }
    try {
      await db.jobRun.create({
        data: { name, slot, owner: this.owner, status: 'running', startedAt: this.now() },
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
}

/** Name and message only: error objects can carry customers' data in their other fields. */
function summarise(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message.slice(0, 500) };
  return { name: 'Error', message: String(err).slice(0, 500) };
}
