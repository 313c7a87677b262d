// Metrics taken at the seams of the services, without touching the services themselves: the
// instances built in src/server.ts get timed or counted versions of the methods every surface uses.
import type { ConversationStore } from '../bot/conversation/store.js';
import { AppError, NoFreePortError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { JobScheduler } from '../jobs/scheduler.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { ReservationService } from './reservations.js';
import type { ViabilityService } from './viability-service.js';

/**
 * Times every viability query (the answer, by its mode: `radius` or `poles`, and the nearest-box
 * lookup of a reservation).
 */
export function observeViability(viability: ViabilityService, metrics: Metrics): void {
  const check = viability.check.bind(viability);
  const viableBoxIds = viability.viableBoxIds.bind(viability);
  viability.check = (input) => {
    const started = performance.now();
    let kind = 'radius';
    try {
      const answer = check(input);
      kind = answer.mode;
      return answer;
    } finally {
      metrics.viabilityDuration.observe({ kind }, (performance.now() - started) / 1000);
    }
  };
  viability.viableBoxIds = (...args) =>
    metrics.timeViability('nearest', () => viableBoxIds(...args));
}

/** The integration or channel a reservation came from (`chatbot:telegram` → `chatbot:telegram`). */
function sourceLabel(reservedBy: string): string {
  return /^[\w:.-]{1,40}$/.test(reservedBy) ? reservedBy : 'other';
}

/** Counts reservation requests by source and outcome: created, replayed, no-free-port, refused, failed. */
export function observeReservations(reservations: ReservationService, metrics: Metrics): void {
  const reserve = reservations.reserve.bind(reservations);
  reservations.reserve = async (req) => {
    const source = sourceLabel(req.reservedBy);
    try {
      const reservation = await reserve(req);
      metrics.reservations.inc({ source, outcome: reservation.created ? 'created' : 'replayed' });
      return reservation;
    } catch (err) {
      const outcome =
        err instanceof NoFreePortError
          ? 'no-free-port'
          : err instanceof AppError
            ? 'refused'
            : 'failed';
      metrics.reservations.inc({ source, outcome });
      throw err;
    }
  };
}

/** Counts each conversation state committed, by channel and the step it reached. */
export function observeConversations<S extends ConversationStore>(store: S, metrics: Metrics): S {
  const commit = store.commit.bind(store);
  store.commit = async (chat, messageId, change) => {
    await commit(chat, messageId, change);
    if (change.kind === 'write')
      metrics.conversationSteps.inc({ channel: chat.channel, step: change.state.step });
  };
  return store;
}

/** Counts and times the runs of every job registered on the scheduler, whoever registers it. */
export function observeJobs(jobs: JobScheduler, metrics: Metrics): void {
  const register = jobs.register.bind(jobs);
  jobs.register = (name, schedule, run) =>
    register(name, schedule, async (ctx) => {
      const end = metrics.jobDuration.startTimer({ job: name });
      try {
        await run(ctx);
        metrics.jobRuns.inc({ job: name, result: 'succeeded' });
      } catch (err) {
        metrics.jobRuns.inc({ job: name, result: 'failed' });
        throw err;
      } finally {
        end();
      }
    });
}

/**
 * Database-wide figures read at scrape time (the same on every instance): active reservations
 * and prospects by source.
 */
export function databaseGauges(db: Db, metrics: Metrics): void {
  metrics.gauge(
    'alcance_reservations_active',
    'Unconfirmed (not implanted) reservations in the database, by source',
    ['source'],
    async function () {
      const rows = await db.ftthClient.groupBy({
        by: ['reservedBy'],
        where: { implanted: false, reservedBy: { not: null } },
        _count: { _all: true },
      });
      this.reset();
      for (const r of rows) this.set({ source: r.reservedBy ?? 'none' }, r._count._all);
    },
  );
  metrics.gauge(
    'alcance_prospects',
    'Prospects (leads without coverage) in the database, by source',
    ['source'],
    async function () {
      const rows = await db.prospect.groupBy({ by: ['source'], _count: { _all: true } });
      this.reset();
      for (const r of rows) this.set({ source: r.source ?? 'none' }, r._count._all);
    },
  );
  // From the shared run history: alert on a job no instance has completed for too long.
  metrics.gauge(
    'alcance_job_last_success_timestamp_seconds',
    'When each scheduled job last finished successfully on any instance (Unix time)',
    ['job'],
    async function () {
      const rows = await db.jobRun.groupBy({
        by: ['name'],
        where: { status: 'succeeded' },
        _max: { finishedAt: true },
      });
      this.reset();
      for (const r of rows)
        if (r._max.finishedAt) this.set({ job: r.name }, r._max.finishedAt.getTime() / 1000);
    },
  );
}
