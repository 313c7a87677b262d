import { Cron } from 'croner';

/**
 * When a job runs: every `everyMs` (slots aligned to the epoch, so every instance agrees on them
 * whatever its start time), daily at a wall-clock time in a time zone, or a cron pattern in one.
 */
export type Schedule =
  { everyMs: number } | { dailyAt: string; timeZone: string } | { cron: string; timeZone: string };

/** One occurrence of a schedule: its key is the same on every instance. */
export interface Slot {
  key: string;
  start: Date;
  /** When the next slot starts. */
  next: Date;
}

/** A schedule checked once, answering "which slot is `now` in". Pure apart from croner. */
export interface CompiledSchedule {
  slotAt(now: Date): Slot;
  describe(): string;
}

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export function compileSchedule(schedule: Schedule): CompiledSchedule {
  if ('everyMs' in schedule) return everySchedule(schedule.everyMs);
  const pattern = 'dailyAt' in schedule ? dailyPattern(schedule.dailyAt) : schedule.cron;
  return cronSchedule(pattern, schedule.timeZone);
}

function everySchedule(everyMs: number): CompiledSchedule {
  if (!Number.isInteger(everyMs) || everyMs < 1000) {
    throw new ScheduleError(
      `everyMs must be a whole number of milliseconds >= 1000, got ${everyMs}`,
    );
  }
  return {
    slotAt(now) {
      const index = Math.floor(now.getTime() / everyMs);
      return {
        key: new Date(index * everyMs).toISOString(),
        start: new Date(index * everyMs),
        next: new Date((index + 1) * everyMs),
      };
    },
    describe: () => `every ${everyMs / 1000} s`,
  };
}

function dailyPattern(at: string): string {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new ScheduleError(`dailyAt must be HH:MM (24 h), got ${JSON.stringify(at)}`);
  return `${Number(match[2])} ${Number(match[1])} * * *`;
}

function cronSchedule(pattern: string, timeZone: string): CompiledSchedule {
  if (!isTimeZone(timeZone))
    throw new ScheduleError(`unknown time zone ${JSON.stringify(timeZone)}`);
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: timeZone, paused: true });
  } catch (err) {
    throw new ScheduleError(`bad schedule ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  return {
    slotAt(now) {
      // croner's previous/next are strict; the slot containing `now` starts at or before it.
      const start = cron.previousRuns(1, new Date(now.getTime() + 1))[0];
      const next = cron.nextRuns(1, now)[0];
      if (!start || !next)
        throw new ScheduleError(`schedule ${pattern} has no runs around ${now.toISOString()}`);
      return { key: start.toISOString(), start, next };
    },
    describe: () => `${pattern} (${timeZone})`,
  };
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
