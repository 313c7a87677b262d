// The server's SGP schedule with a controlled clock: two instances (two schedulers, two owners)
// on one database run each 10-minute and 30-minute slot once, never two cycles of one
// integration at once, and follow profile changes.
import { afterEach, describe, expect, it } from 'vitest';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { SgpSchedules } from '../../src/integrations/sgp/schedule.js';
import { SgpSync } from '../../src/integrations/sgp/sync.js';
import { createBox } from '../support/network-fixture.js';
import { testProviders } from '../support/db.js';
import { registerSgp } from '../support/sgp-harness.js';
import { SgpSimulator } from '../support/sgp-simulator.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(testProviders())('SGP schedule on %s', (provider) => {
  let server: TestServer;
  let sim: SgpSimulator;
  const clock = { now: new Date('2026-03-10T12:00:00Z') };
  const schedulers: JobScheduler[] = [];
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await server?.close();
    await sim?.close();
  });

  function instance(owner: string) {
    const ctx = server.ctx;
    const jobs = new JobScheduler({ db: ctx.db, logger: ctx.logger, now: () => clock.now, owner });
    schedulers.push(jobs);
    const sync = new SgpSync({
      ...ctx,
      now: () => clock.now,
      runs: ctx.syncRuns,
      owner,
      leaseMs: 60_000,
      busyRetryMs: 10,
      client: { retries: 0 },
    });
    return { jobs, schedules: new SgpSchedules(jobs, ctx.integrations, sync, ctx.logger) };
  }

  async function runs() {
    return (await server.ctx.syncRuns.list({ integration: 'erp', limit: 100 })).reverse();
  }

  it('runs each slot once across instances, cancellations every 30 minutes, never overlapping', async () => {
    clock.now = new Date('2026-03-10T12:00:00Z');
    server = await startTestServer(provider, {}, { now: () => clock.now });
    sim = await SgpSimulator.start();
    sim.today = '2026-03-10';
    const box = await createBox(server.ctx.db, { name: 'CTO-SCH', splitters: [{ ratio: 16 }] });
    await server.ctx.network.boxesChanged([box.boxId]);
    for (let i = 0; i < 5; i++) sim.addContract({ cto: 'CTO-SCH', port: i + 1 });
    await registerSgp(server, sim);
    const a = instance('instance-a');
    const b = instance('instance-b');
    await Promise.all([a.schedules.refresh(), b.schedules.refresh()]);
    expect(a.jobs.has('sgp:erp:update') && a.jobs.has('sgp:erp:cancel')).toBe(true);

    // 12:00 starts a 10-minute and a 30-minute slot: each runs once, one after the other.
    await Promise.all([a.jobs.runDue(), b.jobs.runDue(), a.jobs.runDue(), b.jobs.runDue()]);
    let history = await runs();
    expect(history.map((r) => [r.cycle, r.trigger, r.status])).toEqual(
      expect.arrayContaining([
        ['create+update', 'schedule', 'succeeded'],
        ['cancel', 'schedule', 'succeeded'],
      ]),
    );
    expect(history).toHaveLength(2);
    expect(await server.ctx.db.ftthClient.count()).toBe(5);
    // The two cycles' SGP calls did not interleave: one finished before the other began.
    const kinds = sim
      .requestsTo('/api/ura/clientes/')
      .map((r) => (r.params.contrato_status ? 'cancel' : 'update'));
    expect(kinds.join(',')).toMatch(
      /^(update(,update)*,cancel,cancel|cancel,cancel,update(,update)*)$/,
    );

    // Between slots, nothing runs again.
    clock.now = new Date('2026-03-10T12:07:00Z');
    await Promise.all([a.jobs.runDue(), b.jobs.runDue()]);
    expect(await runs()).toHaveLength(2);

    // A contract sold at 12:07 is in the inventory after the 12:10 slot; no cancellation runs.
    sim.addContract({ contractId: 9001, cto: 'CTO-SCH', port: 9 });
    clock.now = new Date('2026-03-10T12:10:00Z');
    await Promise.all([a.jobs.runDue(), b.jobs.runDue()]);
    history = await runs();
    expect(history.slice(2).map((r) => r.cycle)).toEqual(['create+update']);
    expect(await server.ctx.db.ftthClient.findUnique({ where: { code: '9001' } })).not.toBeNull();

    // 12:20: an update; 12:30: an update and a cancellation, which removes the cancelled one.
    sim.setStatus(9001, 3);
    for (const at of ['2026-03-10T12:20:00Z', '2026-03-10T12:30:00Z']) {
      clock.now = new Date(at);
      await Promise.all([a.jobs.runDue(), b.jobs.runDue()]);
    }
    history = await runs();
    expect(
      history
        .slice(3)
        .map((r) => r.cycle)
        .sort(),
    ).toEqual(['cancel', 'create+update', 'create+update']);
    expect(await server.ctx.db.ftthClient.findUnique({ where: { code: '9001' } })).toBeNull();
    // Both instances took part; no slot ran twice.
    const slots = await server.ctx.db.jobRun.findMany({
      where: { name: { startsWith: 'sgp:erp' } },
    });
    expect(slots).toHaveLength(6);
    expect(new Set(slots.map((s) => `${s.name}@${s.slot}`)).size).toBe(6);
  });

  it('follows profile changes: a new interval, a disabled or removed integration', async () => {
    clock.now = new Date('2026-03-10T12:00:00Z');
    server = await startTestServer(provider, {}, { now: () => clock.now });
    sim = await SgpSimulator.start();
    sim.today = '2026-03-10';
    const a = instance('instance-a');
    await a.schedules.refresh();
    expect(a.jobs.has('sgp:erp:update')).toBe(false);
    await server.ctx.integrations.create({
      name: 'erp',
      kind: 'sgp',
      url: sim.url,
      token: sim.token,
      settings: { app: sim.app, updateEveryMinutes: 5 },
    });
    await a.schedules.refresh();
    await a.jobs.runDue();
    clock.now = new Date('2026-03-10T12:05:00Z');
    await a.jobs.runDue();
    const cycles = (await runs()).map((r) => r.cycle);
    // The two 12:00 cycles start in the same millisecond of the test's clock, and their ids come
    // from the cycle's worker thread: listed in either order.
    expect(cycles.slice(0, 2).sort()).toEqual(['cancel', 'create+update']);
    expect(cycles.slice(2)).toEqual(['create+update']);

    await server.ctx.integrations.update('erp', { enabled: false });
    await a.schedules.refresh();
    expect(a.jobs.has('sgp:erp:update') || a.jobs.has('sgp:erp:cancel')).toBe(false);
    clock.now = new Date('2026-03-10T12:30:00Z');
    await a.jobs.runDue();
    expect(await runs()).toHaveLength(3);

    await server.ctx.integrations.update('erp', { enabled: true });
    await a.schedules.refresh();
    expect(a.jobs.has('sgp:erp:update')).toBe(true);
    await server.ctx.integrations.remove('erp');
    await a.schedules.refresh();
    expect(a.jobs.has('sgp:erp:update')).toBe(false);
  });

  it('records a failed scheduled run when SGP is down, and the next slot retries', async () => {
    clock.now = new Date('2026-03-10T12:00:00Z');
    server = await startTestServer(provider, {}, { now: () => clock.now });
    sim = await SgpSimulator.start();
    sim.today = '2026-03-10';
    const box = await createBox(server.ctx.db, { name: 'CTO-DOWN' });
    await server.ctx.network.boxesChanged([box.boxId]);
    sim.addContract({ cto: 'CTO-DOWN', port: 1 });
    await registerSgp(server, sim);
    const a = instance('instance-a');
    await a.schedules.refresh();
    // One 500 for each of the 12:00 cycles (the client is set not to retry).
    sim.inject({ kind: 'status', status: 500 }, { times: 2 });
    await a.jobs.runDue();
    const failed = (await runs()).filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.errorCode)).toEqual(['sgp_unavailable', 'sgp_unavailable']);
    const jobRuns = await server.ctx.db.jobRun.findMany({ where: { status: 'failed' } });
    expect(jobRuns.map((j) => j.error)).toEqual([
      expect.stringMatching(/^SGP could not be read/),
      expect.stringMatching(/^SGP could not be read/),
    ]);
    clock.now = new Date('2026-03-10T12:10:00Z');
    await a.jobs.runDue();
    expect((await runs()).at(-1)).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
  });
});
