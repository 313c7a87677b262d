import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { JobScheduler, type JobRunContext } from '../../src/jobs/scheduler.js';
import { acquireLease, withLease } from '../../src/jobs/lease.js';
import { compileSchedule, ScheduleError } from '../../src/jobs/schedule.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';

const silent = pino({ level: 'silent' });
const MINUTE = 60_000;

describe('schedules', () => {
  it('slots an interval on the epoch, so every instance agrees whatever its start time', () => {
    const every10 = compileSchedule({ everyMs: 10 * MINUTE });
    const slot = every10.slotAt(new Date('2026-12-01T12:27:31Z'));
    expect(slot.key).toBe('2026-12-01T12:20:00.000Z');
    expect(slot.next.toISOString()).toBe('2026-12-01T12:30:00.000Z');
    expect(every10.slotAt(new Date('2026-12-01T12:20:00Z')).key).toBe(slot.key);
    expect(every10.slotAt(new Date('2026-12-01T12:19:59.999Z')).key).toBe(
      '2026-12-01T12:10:00.000Z',
    );
  });

  it("puts 04:00 America/Sao_Paulo at 07:00 UTC, whatever the server's own time zone", () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
        process.env.TZ = tz;
        const daily = compileSchedule({ dailyAt: '04:00', timeZone: 'America/Sao_Paulo' });
        expect(daily.slotAt(new Date('2026-12-02T06:59:59Z')).key).toBe('2026-12-01T07:00:00.000Z');
        const slot = daily.slotAt(new Date('2026-12-02T07:00:00Z'));
        expect(slot.key).toBe('2026-12-02T07:00:00.000Z');
        expect(slot.next.toISOString()).toBe('2026-12-03T07:00:00.000Z');
      }
    } finally {
      process.env.TZ = before;
    }
  });

  it('refuses bad schedules with a clear message', () => {
    expect(() => compileSchedule({ everyMs: 10 })).toThrow(ScheduleError);
    expect(() => compileSchedule({ dailyAt: '4h', timeZone: 'America/Sao_Paulo' })).toThrow(
      /HH:MM/,
    );
    expect(() => compileSchedule({ dailyAt: '24:00', timeZone: 'America/Sao_Paulo' })).toThrow(
      /HH:MM/,
    );
    expect(() => compileSchedule({ dailyAt: '04:00', timeZone: 'Mars/Base' })).toThrow(/time zone/);
    expect(() => compileSchedule({ cron: 'not a cron', timeZone: 'UTC' })).toThrow(/bad schedule/);
  });
});

describe.each(testProviders())('the job scheduler on %s', (provider) => {
  let t: TestDatabase;
  let clock: Date;
  const now = () => clock;
  const schedulers: JobScheduler[] = [];

  function scheduler(owner: string, leaseMs = MINUTE): JobScheduler {
    const s = new JobScheduler({ db: t.db, logger: silent, now, owner, leaseMs });
    schedulers.push(s);
    return s;
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
  });
  afterAll(async () => t.drop());
  beforeEach(async () => {
    clock = new Date('2026-12-01T12:00:00Z');
    await t.db.jobRun.deleteMany();
    await t.db.jobLease.deleteMany();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  });

  it('runs a slot once however many instances look for it at the same moment', async () => {
    const runs: string[] = [];
    const instances = ['a', 'b', 'c', 'd'].map((owner) => {
      const s = scheduler(owner);
      s.register('expiry', { everyMs: 5 * MINUTE }, async ({ slot }) => {
        runs.push(`${owner}@${slot}`);
        await new Promise((r) => setTimeout(r, 20));
      });
      return s;
    });
    await Promise.all(instances.flatMap((s) => [s.runDue(), s.runDue()]));
    expect(runs).toHaveLength(1);
    // Nothing more within the slot, even from an instance that has not seen it finish.
    await Promise.all(instances.map((s) => s.runDue()));
    expect(runs).toHaveLength(1);

    clock = new Date('2026-12-01T12:05:00Z');
    await Promise.all(instances.map((s) => s.runDue()));
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatch(/@2026-12-01T12:05:00.000Z$/);
    const history = await t.db.jobRun.findMany({
      where: { name: 'expiry' },
      orderBy: { slot: 'asc' },
    });
    expect(history.map((r) => [r.slot, r.status])).toEqual([
      ['2026-12-01T12:00:00.000Z', 'succeeded'],
      ['2026-12-01T12:05:00.000Z', 'succeeded'],
    ]);
  });

  it('takes over a run whose owner died (lease not renewed), and not one still held', async () => {
    const slot = '2026-12-01T12:00:00.000Z';
    await t.db.jobRun.create({
      data: { name: 'sync', slot, owner: 'dead', status: 'running', startedAt: clock },
    });
    await t.db.jobLease.create({
      data: { key: 'job:sync', owner: 'dead', until: new Date(clock.getTime() + 30_000) },
    });
    const ran: JobRunContext[] = [];
    const s = scheduler('b');
    s.register('sync', { everyMs: 10 * MINUTE }, async (ctx) => {
      ran.push(ctx);
    });
    await s.runDue();
    expect(ran).toHaveLength(0); // the owner may still be alive: its lease holds for 30 s more

    clock = new Date(clock.getTime() + 31_000);
    await s.runDue();
    expect(ran.map((r) => r.slot)).toEqual([slot]);
    const row = await t.db.jobRun.findUniqueOrThrow({
      where: { name_slot: { name: 'sync', slot } },
    });
    expect(row).toMatchObject({ owner: 'b', status: 'succeeded' });
    expect(await t.db.jobLease.count()).toBe(0);
  });

  it('records a failed run with its message and does not retry it within the slot', async () => {
    let calls = 0;
    const s = scheduler('a');
    s.register('flaky', { everyMs: 10 * MINUTE }, async () => {
      calls++;
      throw new Error('SGP answered 500');
    });
    await s.runDue();
    await s.runDue();
    expect(calls).toBe(1);
    const row = await t.db.jobRun.findFirstOrThrow({ where: { name: 'flaky' } });
    expect(row).toMatchObject({ status: 'failed', error: 'SGP answered 500' });
    clock = new Date('2026-12-01T12:10:00Z');
    await s.runDue();
    expect(calls).toBe(2);
  });

  it('never runs one job twice at once: runNow is busy while a scheduled run goes on', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = scheduler('a');
    const b = scheduler('b');
    const job = async () => gate;
    a.register('geogrid', { dailyAt: '04:00', timeZone: 'America/Sao_Paulo' }, job);
    b.register('geogrid', { dailyAt: '04:00', timeZone: 'America/Sao_Paulo' }, job);
    const scheduled = a.runDue();
    await vi.waitFor(async () => expect(await t.db.jobLease.count()).toBe(1));
    expect(await b.runNow('geogrid')).toBe('busy');
    expect(await a.runNow('geogrid')).toBe('busy');
    release();
    await scheduled;
    expect(await b.runNow('geogrid')).toBe('ran');
    const slots = (await t.db.jobRun.findMany({ where: { name: 'geogrid' } })).map((r) => r.slot);
    expect(slots.sort()).toEqual(['2026-12-01T07:00:00.000Z', expect.stringMatching(/^manual:/)]);
  });

  it('fires at the slot boundary on its own timer (fake timers, controlled clock)', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    vi.setSystemTime(new Date('2026-12-02T06:58:00Z')); // 03:58 in São Paulo
    clock = new Date(Date.now());
    const runs: string[] = [];
    const s = new JobScheduler({
      db: t.db,
      logger: silent,
      now: () => new Date(Date.now()),
      owner: 'a',
      pollMs: 10 * MINUTE,
    });
    schedulers.push(s);
    await t.db.jobRun.create({
      data: {
        name: 'nightly',
        slot: '2026-12-01T07:00:00.000Z',
        owner: 'x',
        status: 'succeeded',
        startedAt: new Date('2026-12-01T07:00:00Z'),
      },
    });
    s.register('nightly', { dailyAt: '04:00', timeZone: 'America/Sao_Paulo' }, async ({ slot }) => {
      runs.push(slot);
    });
    s.start();
    await s.runDue(); // yesterday's run is done: nothing to do at 03:58
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    await vi.waitFor(() => expect(runs).toEqual(['2026-12-02T07:00:00.000Z']), { timeout: 5000 });
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    await s.runDue();
    expect(runs).toHaveLength(1);
  });

  it('aborts the signal of a run whose lease another instance took over', async () => {
    const signals: AbortSignal[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const outcome = withLease(t.db, 'x', { owner: 'a', ttlMs: 1000, now }, async (signal) => {
      signals.push(signal);
      await gate;
      return 42;
    });
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    // 'a' stalls past its ttl; 'b' takes the expired lease; a's next renewal finds it lost.
    clock = new Date(clock.getTime() + 5000);
    expect(await acquireLease(t.db, 'x', 'b', 1000, clock)).toBe('b');
    await vi.waitFor(() => expect(signals[0]!.aborted).toBe(true), { timeout: 5000 });
    release();
    expect(await outcome).toEqual({ ran: true, value: 42 });
    // a's release must not free b's lease.
    expect((await t.db.jobLease.findUniqueOrThrow({ where: { key: 'x' } })).owner).toBe('b');
    expect(await withLease(t.db, 'x', { owner: 'c', ttlMs: 1000, now }, async () => 1)).toEqual({
      ran: false,
      holder: 'b',
    });
  });

  it('excludes a second call from the same process while the first holds the lease', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered = 0;
    const first = withLease(t.db, 'y', { owner: 'a', ttlMs: 60_000, now }, async () => {
      entered++;
      await gate;
      return 'first';
    });
    await vi.waitFor(() => expect(entered).toBe(1));
    const second = await withLease(t.db, 'y', { owner: 'a', ttlMs: 60_000, now }, async () => {
      entered++;
      return 'second';
    });
    expect(second).toEqual({ ran: false, holder: 'a' });
    release();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await withLease(t.db, 'y', { owner: 'a', ttlMs: 60_000, now }, async () => 3)).toEqual({
      ran: true,
      value: 3,
    });
    expect(entered).toBe(1);
  });
});
