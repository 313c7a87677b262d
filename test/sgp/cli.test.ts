// The SGP commands as an operator runs them: each step is its own `alcance` process against a
// real database and the simulated SGP; one of them is killed (SIGKILL) in the middle of a cycle.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease, releaseLease } from '../../src/jobs/lease.js';
import { createBox } from '../support/network-fixture.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { SgpSimulator } from '../support/sgp-simulator.js';

const exec = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe.each(testProviders())('alcance sync sgp on %s', (provider) => {
  let t: TestDatabase;
  let sim: SgpSimulator;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];

  async function cli(...args: string[]): Promise<Ran> {
    const ran = await exec('node', ['bin/alcance.js', ...args], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
    outputs.push(ran.stdout, ran.stderr);
    return ran;
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    sim = await SgpSimulator.start({ token: 'tok-cli-5a8e13f0', app: 'Alcance' });
    env = {
      ...process.env,
      DATABASE_URL: t.url,
      LOG_LEVEL: 'warn',
      DEMO_NETWORK: 'off',
      // A short lease, so the cycle after the crash can take over within seconds.
      SCHEDULER_LEASE_SECONDS: '5',
      SECRETS_KEY: 'q6mQv2I4dQyXqX0m8m0T1pWlq0Zl8y8v6u2tQx3r5s4=',
      REDIS_URL: '',
    };
    await createBox(t.db, {
      name: 'CTO-CLI',
      splitters: [{ ratio: 64 }, { ratio: 64 }, { ratio: 64 }, { ratio: 64 }, { ratio: 64 }],
    });
    for (let i = 0; i < 300; i++) sim.addContract({ cto: 'CTO-CLI', port: i + 1 });
    sim.addContract({ contractId: 9999, cto: 'CTO-NENHUMA', port: 1 });
  });
  afterAll(async () => {
    await sim.close();
    await t.drop();
  });

  it(
    'creates the profile, runs cycles with progress and a summary, survives a kill, and reports runs',
    { timeout: 300_000 },
    async () => {
      const created = await cli(
        'integration',
        'create',
        '--name',
        'provedor',
        '--kind',
        'sgp',
        '--url',
        sim.url,
        '--token',
        sim.token,
        '--app',
        sim.app,
      );
      expect(created).toMatchObject({ code: 0 });
      expect(created.stdout).toMatch(
        /^provedor {2}kind=sgp {2}enabled=true {2}url=http:\/\/127\.0\.0\.1:\d+ {2}app=Alcance {2}token=stored \(sealed\) {2}updates every 10 min {2}cancellations every 30 min\n$/,
      );

      const dry = await cli('sync', 'sgp', '--name', 'provedor', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stderr).toMatch(/\[contracts\] page 1\/4: \d+ contracts; \d+ created/);
      expect(dry.stdout).toMatch(/sgp provedor create\+update\+cancel \(dry run\): succeeded/);
      expect(dry.stdout).toMatch(/created: 300 {2}adopted: 0/);
      expect(await t.db.ftthClient.count()).toBe(0);

      // Slow ONU look-ups stretch the cycle; it is killed once some contracts are in.
      sim.inject({ kind: 'slow', delayMs: 15 }, { path: '/api/fttx/onu/list/', times: 300 });
      const child = spawn('node', ['bin/alcance.js', 'sync', 'sgp', '--name', 'provedor'], {
        env,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 120_000;
      let seen = 0;
      while (seen < 120 && Date.now() < deadline) {
        seen = await t.db.ftthClient.count();
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      sim.clearFaults();
      const afterKill = await t.db.ftthClient.findMany({ include: { property: true } });
      expect(afterKill.length).toBeGreaterThanOrEqual(120);
      expect(afterKill.length).toBeLessThan(300);
      // Every contract is whole: no client without its connected property.
      expect(afterKill.filter((c) => c.property?.port == null)).toEqual([]);
      expect(await t.db.property.count()).toBe(afterKill.length);

      // The dead process's lease lapses after SCHEDULER_LEASE_SECONDS; then a cycle may start.
      for (;;) {
        const lease = await t.db.jobLease.findUnique({ where: { key: 'sync:provedor' } });
        if (!lease || lease.until.getTime() < Date.now()) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // While another instance runs a cycle of the integration, the CLI refuses (exit 3).
      expect(
        await acquireLease(t.db, 'sync:provedor', 'instance-b:run-1', 600_000, new Date()),
      ).toBe('instance-b:run-1');
      const busy = await cli('sync', 'sgp', '--name', 'provedor');
      expect(busy.code).toBe(3);
      expect(busy.stderr).toMatch(/a cycle of provedor is running already \(instance-b:run-1\)/);
      await releaseLease(t.db, 'sync:provedor', 'instance-b:run-1');

      const done = await cli('sync', 'sgp', '--name', 'provedor');
      expect(done.code).toBe(0);
      expect(done.stderr.match(/^\[contracts\] page \d\/4:/gm)).toHaveLength(4);
      expect(done.stderr).toMatch(/^\[status 3\] page 1\/1: 0 contracts/m);
      expect(done.stdout).toMatch(/: succeeded in \d+\.\d s \(run [0-9a-f]{24}\)/);
      expect(done.stdout).toContain(`created: ${300 - afterKill.length}  adopted: 0`);
      expect(done.stdout).toContain('skipped: 1 (box_not_found 1)');
      expect(done.stdout).toContain('errors: 0');
      expect(await t.db.ftthClient.count()).toBe(300);
      expect(await t.db.property.count()).toBe(300);

      // SGP down: exit 1 with the reason.
      sim.inject({ kind: 'status', status: 502 }, { times: 50 });
      const down = await cli('sync', 'sgp', '--name', 'provedor', '--only', 'cancel');
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/error: SGP could not be read: SGP answered 502/);
      sim.clearFaults();
      const runs = await cli('sync', 'runs', '--name', 'provedor');
      expect(runs.code).toBe(0);
      const lines = runs.stdout.trim().split('\n');
      expect(lines.map((l) => l.split(/\s{2}/).slice(2, 7))).toEqual([
        ['provedor', 'sgp', 'cancel', 'cli', 'failed'],
        ['provedor', 'sgp', 'create+update+cancel', 'cli', 'succeeded'],
        ['provedor', 'sgp', 'create+update+cancel', 'cli', 'abandoned'],
        ['provedor', 'sgp', 'create+update+cancel (dry run)', 'cli', 'succeeded'],
      ]);
      const id = lines[1]!.split(' ')[0]!;
      const skipped = await cli('sync', 'runs', '--id', id, '--outcome', 'skipped');
      expect(skipped.stdout).toMatch(
        /#\d+ {2}9999 {2}skipped {2}box_not_found {2}no box named "CTO-NENHUMA" here/,
      );

      // The token was never printed, by any command.
      for (const o of outputs) expect(o).not.toContain(sim.token);
    },
  );
});
