/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies and expect.stringMatching() are untyped; the assertions check them */
// The Geogrid sync's controls: the CLI as an operator runs it (its own process, trusting the test
// CA through NODE_EXTRA_CA_CERTS as any Node process would), the admin API's on-demand run, and
// the daily 04:00 America/Sao_Paulo schedule on a controlled clock.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGeogrid } from '../../src/cli/geogrid.js';
import { GeogridSchedules } from '../../src/integrations/geogrid/schedule.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { createDb } from '../../src/ozmap-model/db/client.js';
import { testProviders } from '../support/db.js';
import { GeogridSimulator } from '../support/geogrid-simulator.js';
import { startGeogridHarness, type GeogridHarness } from '../support/geogrid-harness.js';
import { api } from '../support/server.js';

const exec = promisify(execFile);
const MINUTE = 60_000;

describe('alcance integration create / sync geogrid', () => {
  it(
    'creates a linked integration (token sealed, never printed), syncs with progress and a summary, says why it fails',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'alcance-gg-cli-'));
      const sim = await GeogridSimulator.start();
      try {
        for (let i = 0; i < 3; i++) sim.addItem({ sigla: `CTO-${i}` });
        sim.addItem({ type: 'poste', sigla: 'P-1' });
        const env = {
          ...process.env,
          DATABASE_URL: `file:${join(dir, 'cli.db')}`,
          LOG_LEVEL: 'silent',
          DEMO_NETWORK: 'off',
        };
        const cli = (...args: string[]) =>
          exec('node', ['bin/alcance.js', ...args], { env }).then(
            (r) => ({ code: 0, ...r }),
            (e: { code: number; stdout: string; stderr: string }) => ({
              code: e.code,
              stdout: e.stdout,
              stderr: e.stderr,
            }),
          );
        const plain = await cli(
          'integration',
          'create',
          '--name',
          'rede',
          '--kind',
          'geogrid',
          '--url',
          sim.url.replace('https:', 'http:'),
          '--token',
          sim.token,
          '--project-name',
          'Rede',
        );
        expect(plain.code).toBe(1);
        expect(plain.stderr).toMatch(/error: url must start with https:\/\//);
        const made = await cli(
          'integration',
          'create',
          '--name',
          'rede',
          '--kind',
          'geogrid',
          '--url',
          sim.url,
          '--token',
          sim.token,
          '--project-name',
          'Rede Norte',
          '--elements',
          'poles',
        );
        expect(made.code).toBe(0);
        expect(made.stdout).toMatch(
          /rede {2}kind=geogrid {2}enabled=true {2}url=https:\/\/127\.0\.0\.1:\d+\/provedor\/api\/v3 {2}token=stored \(sealed\) {2}elements=service-splitters,poles/,
        );
        expect(made.stdout).toMatch(/project: [0-9a-f]{24} \("Rede Norte"\)/);
        expect(made.stdout).toMatch(/Authorization ggw_[\w-]{32}/);
        expect(made.stdout + made.stderr).not.toContain(sim.token);
        const db = createDb(env.DATABASE_URL);
        try {
          const row = await db.integration.findUniqueOrThrow({ where: { name: 'rede' } });
          expect(row.tokenSealed).toMatch(/^sb1\./);
          expect(JSON.stringify(row)).not.toContain(sim.token);
          const dry = await cli('sync', 'geogrid', '--name', 'rede', '--dry-run');
          expect(dry.code).toBe(0);
          expect(dry.stderr).toMatch(/run [0-9a-f]{24} \(dry run: nothing is written\)/);
          expect(dry.stdout).toMatch(/geogrid rede full sync \(dry run\): succeeded/);
          expect(dry.stdout).toMatch(/created: 4 {2}updated: 0 {2}removed: 0/);
          expect(await db.box.count()).toBe(0);
          const sync = await cli('sync', 'geogrid', '--name', 'rede');
          expect(sync.code).toBe(0);
          expect(sync.stderr).toMatch(/\[clients\] page 1\/1: 0 clients/);
          expect(sync.stderr).toMatch(/\[built\] page 1\/1: 4 items; 4 created, 0 updated/);
          expect(sync.stdout).toMatch(
            /geogrid rede full sync: succeeded in [\d.]+ s \(run [0-9a-f]{24}\)/,
          );
          expect(sync.stdout).toMatch(/created: 4 {2}updated: 0 {2}removed: 0/);
          expect(await db.pole.count()).toBe(1);
          expect(sync.stdout + sync.stderr).not.toContain(sim.token);

          sim.token = 'revoked';
          const wrong = await cli('sync', 'geogrid', '--name', 'rede');
          expect(wrong.code).toBe(1);
          expect(wrong.stderr).toMatch(/error: Geogrid refused the token \(401\)/);

          const unlink = await cli('integration', 'update', 'rede', '--unlink-project');
          expect(unlink.stdout).toMatch(
            /removed from project [0-9a-f]{24}: the sync stopped; 4 box\(es\) stay, marked as no longer synced/,
          );
          expect((await db.box.findFirstOrThrow()).observation).toMatch(
            /Sincronização Geogrid \(rede\) encerrada em/,
          );
          const stopped = await cli('sync', 'geogrid', '--name', 'rede');
          expect(stopped.code).toBe(1);
          expect(stopped.stderr).toMatch(/fills no project/);
        } finally {
          await db.$disconnect();
        }
      } finally {
        await sim.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe.each(testProviders())('Geogrid schedule and on-demand runs on %s', (provider) => {
  let h: GeogridHarness;
  afterEach(async () => {
    vi.useRealTimers();
    await h?.close();
  });

  it('ties each integration to one project and each project to one integration', async () => {
    h = await startGeogridHarness(provider);
    const { ctx } = h.server;
    const make = (name: string, flags: Record<string, string>) =>
      createGeogrid(
        ctx.db,
        ctx.secrets,
        7,
        { name, kind: 'geogrid', url: h.sim.url, token: 'x' },
        flags,
      );
    await expect(make('sem', {})).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/project-id \(an existing project\) or project-name/),
    });
    await expect(
      make('dois', { 'project-id': h.projectId, 'project-name': 'X' }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(make('outra', { 'project-id': h.projectId })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already holds Geogrid integration rede/),
    });
    await expect(make('mesmo-nome', { 'project-name': 'Rede Geogrid' })).rejects.toMatchObject({
      status: 409,
    });
    await expect(make('nenhum', { 'project-id': 'f'.repeat(24) })).rejects.toMatchObject({
      status: 404,
    });
    // Nothing half-written: no profile without its link.
    expect((await ctx.db.integration.findMany()).map((i) => i.name)).toEqual(['rede']);
    const made = await make('sul', { 'project-name': 'Rede Sul' });
    expect(made.lines[0]).toMatch(/^project: [0-9a-f]{24} \("Rede Sul"\)$/);
    await expect(h.links.link('rede', { projectName: 'Outro' })).rejects.toMatchObject({
      status: 409,
    });
    // Removed from its project, then linked again to it: the sync takes its boxes up again.
    h.sim.addItem({ sigla: 'CTO-L' });
    await h.run();
    await h.links.unlink('rede');
    expect(await ctx.db.geogridItem.findMany({ select: { state: true } })).toEqual([
      { state: 'unlinked' },
    ]);
    expect((await h.run()).error?.code).toBe('not_linked');
    expect((await h.links.link('rede', { projectId: h.projectId })).secret).toBeNull();
    const again = await h.run();
    expect(again.counts).toMatchObject({ created: 0, updated: 1 });
    expect(await ctx.db.box.count()).toBe(1);
  });

  it('runs on demand through POST /admin/sync-runs, and reports in GET /admin/sync-runs', async () => {
    h = await startGeogridHarness(provider);
    h.sim.addItem({ sigla: 'CTO-API' });
    const { key } = await createApiKey(h.server.ctx.db, 'ops', 'admin');
    const admin = { url: h.server.url, apiKey: key };
    const started = await api(admin, 'POST', '/admin/sync-runs', { integration: 'rede' });
    expect(started).toMatchObject({
      status: 202,
      body: { integration: 'rede', status: 'running' },
    });
    await vi.waitFor(
      async () => {
        const run = await api(admin, 'GET', `/admin/sync-runs/${started.body.runId as string}`);
        expect(run.body).toMatchObject({
          status: 'succeeded',
          kind: 'geogrid',
          trigger: 'api',
          counts: { created: 1 },
        });
      },
      { timeout: 10_000 },
    );
    const list = await api(admin, 'GET', '/admin/sync-runs?integration=rede');
    expect(list.body[0]).toMatchObject({ id: started.body.runId, cycle: 'full' });
    const status = await api(admin, 'GET', '/admin/geogrid/rede');
    expect(status.body).toMatchObject({
      projectId: h.projectId,
      projectName: 'Rede Geogrid',
      webhookSecret: true,
      items: { synced: 1 },
    });
    expect(JSON.stringify(status.body)).not.toContain(h.webhookSecret);
  });

  it('never runs two syncs of one integration at once: the second gets 409 and changes nothing', async () => {
    h = await startGeogridHarness(provider);
    h.sim.addItem({ sigla: 'CTO-SLOW' });
    // Geogrid is slow to answer the first page: the first run is still reading when others come.
    h.sim.inject({ kind: 'slow', delayMs: 1_500 }, { path: 'itensRede', times: 1 });
    const { key } = await createApiKey(h.server.ctx.db, 'ops', 'admin');
    const admin = { url: h.server.url, apiKey: key };
    const first = await api(admin, 'POST', '/admin/sync-runs', { integration: 'rede' });
    expect(first.status).toBe(202);
    const second = await api(admin, 'POST', '/admin/sync-runs', { integration: 'rede' });
    expect(second).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/a Geogrid sync of rede is running already/) },
    });
    await expect(h.sync.run('rede', { trigger: 'cli' })).rejects.toThrow(/running already/);
    await vi.waitFor(
      async () => {
        const run = await api(admin, 'GET', `/admin/sync-runs/${first.body.runId as string}`);
        expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
      },
      { timeout: 15_000 },
    );
    // One run report, one box; once it ended, the next run may start.
    expect(await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'full' })).toHaveLength(
      1,
    );
    expect(await h.server.ctx.db.box.count()).toBe(1);
    const third = await api(admin, 'POST', '/admin/sync-runs', { integration: 'rede' });
    expect(third.status).toBe(202);
    await vi.waitFor(
      async () => {
        const run = await api(admin, 'GET', `/admin/sync-runs/${third.body.runId as string}`);
        expect(run.body).toMatchObject({ status: 'succeeded', counts: { unchanged: 1 } });
      },
      { timeout: 15_000 },
    );
    // Bad requests name the field; an unknown integration is 404.
    expect(await api(admin, 'POST', '/admin/sync-runs', {})).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/integration/) },
    });
    expect((await api(admin, 'POST', '/admin/sync-runs', { integration: 'nenhuma' })).status).toBe(
      404,
    );
  });

  it("runs every day at 04:00 in São Paulo, whatever the server's time zone, and stops once unlinked", async () => {
    h = await startGeogridHarness(provider);
    h.sim.addItem({ sigla: 'CTO-04' });
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    try {
      vi.setSystemTime(new Date('2026-03-11T06:58:00Z')); // 03:58 in São Paulo
      const jobs = new JobScheduler({
        db: h.server.ctx.db,
        logger: pino({ level: 'silent' }),
        now: () => new Date(Date.now()),
        owner: 'a',
        pollMs: 10 * MINUTE,
      });
      const schedules = new GeogridSchedules(
        jobs,
        h.server.ctx.integrations,
        h.links,
        h.sync,
        pino({ level: 'silent' }),
      );
      await schedules.refresh();
      expect(jobs.has('geogrid:rede:full') && jobs.has('geogrid:rede:push')).toBe(true);
      // Yesterday's 04:00 run is done already: nothing at 03:58.
      await h.server.ctx.db.jobRun.create({
        data: {
          name: 'geogrid:rede:full',
          slot: '2026-03-10T07:00:00.000Z',
          owner: 'x',
          status: 'succeeded',
          startedAt: new Date('2026-03-10T07:00:00Z'),
        },
      });
      jobs.start();
      await jobs.runDue();
      expect(await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'full' })).toEqual([]);
      await vi.advanceTimersByTimeAsync(2 * MINUTE);
      await vi.waitFor(
        async () => {
          const runs = await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'full' });
          expect(runs.map((r) => [r.trigger, r.status])).toEqual([['schedule', 'succeeded']]);
        },
        { timeout: 10_000, interval: 50 },
      );
      const slots = await h.server.ctx.db.jobRun.findMany({
        where: { name: 'geogrid:rede:full' },
        orderBy: { slot: 'asc' },
      });
      expect(slots.map((s) => s.slot)).toEqual([
        '2026-03-10T07:00:00.000Z',
        '2026-03-11T07:00:00.000Z',
      ]);
      await h.links.unlink('rede');
      await schedules.refresh();
      expect(jobs.has('geogrid:rede:full')).toBe(false);
      await jobs.stop();
    } finally {
      process.env.TZ = tz;
    }
  });
});
