// SGP cycles in a worker thread (SYNC_CYCLE_THREAD): the same cycle as in-process, with its
// network changes reaching the main thread's viability index before it moves on, its log lines in
// the main log (masked there already), its progress reported, and a stop that reaches the thread.
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SgpSync } from '../../src/integrations/sgp/sync.js';
import { createLogger } from '../../src/logger.js';
import { createBox } from '../support/network-fixture.js';
import { testProviders } from '../support/db.js';
import { registerSgp } from '../support/sgp-harness.js';
import { SgpSimulator } from '../support/sgp-simulator.js';
import { startTestServer, type TestServer } from '../support/server.js';

const POINT = { lat: -23.4253, lng: -51.9386 };

/** A thread's nice value (Linux: field 19 of /proc/self/task/TID/stat). */
function niceOf(tid: string | number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined; // the thread ended meanwhile
  }
}

const threadNiceValues = () =>
  readdirSync('/proc/self/task')
    .map(niceOf)
    .filter((n) => n !== undefined);

describe.each(testProviders())('SGP cycle in a worker thread on %s', (provider) => {
  let server: TestServer;
  let sim: SgpSimulator;
  afterEach(async () => {
    await server?.close();
    await sim?.close();
  });

  async function setUp(contracts: number) {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _e, done) {
          for (const l of chunk.toString().split('\n')) {
            if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
          }
          done();
        },
      }),
    );
    server = await startTestServer(provider, {}, { logger });
    sim = await SgpSimulator.start();
    sim.today = new Date().toISOString().slice(0, 10);
    const box = await createBox(server.ctx.db, {
      name: 'CTO-THREAD',
      ...POINT,
      splitters: [{ ratio: 16 }],
    });
    await server.ctx.network.boxesChanged([box.boxId]);
    for (let i = 0; i < contracts; i++) {
      sim.addContract({ cto: 'CTO-THREAD', port: i + 1, document: '52998224725' });
    }
    await registerSgp(server, sim);
    const changed: string[][] = [];
    const sync = new SgpSync({
      ...server.ctx,
      network: {
        ...server.ctx.network,
        boxesChanged: async (ids) => {
          changed.push([...ids]);
          await server.ctx.network.boxesChanged(ids);
        },
      },
      runs: server.ctx.syncRuns,
      owner: 'test',
      leaseMs: 60_000,
      client: { retries: 0, pageSize: 2 },
      thread: { logLevel: 'info' },
    });
    return { box, sync, lines, changed };
  }

  it('creates the contracts, tells the index, logs through the main logger, reports pages', async () => {
    const { box, sync, lines, changed } = await setUp(5);
    const free = () => server.ctx.viability.check(POINT).boxes[0]?.availability;
    expect(free()).toBe(16);
    const pages: number[] = [];
    const result = await sync.run('erp', {
      steps: ['create', 'update'],
      trigger: 'cli',
      onPage: (p) => pages.push(p.page),
    });
    expect(result).toMatchObject({ status: 'succeeded', counts: { created: 5 } });
    expect(pages).toEqual([1, 2, 3]);
    expect(changed.flat()).toContain(box.boxId);
    // The main thread's index saw every port taken before the cycle answered.
    expect(free()).toBe(11);
    expect(await server.ctx.db.ftthClient.count()).toBe(5);
    const started = lines.find((l) => l.msg === 'sgp cycle started');
    expect(started).toMatchObject({ thread: 'sgp-cycle', integration: 'erp' });
    expect(JSON.stringify(lines)).not.toContain('52998224725');
    expect(JSON.stringify(lines)).not.toContain(sim.token);
  });

  it('the cycle thread runs at a low priority, the requests thread at its own', async () => {
    // 19 (the lowest) on PostgreSQL; 10 on SQLite, where the requests thread waits on its lock.
    const nice = provider === 'sqlite' ? 10 : 19;
    const { sync } = await setUp(3);
    const before = threadNiceValues();
    const mainBefore = niceOf(process.pid);
    const during: number[][] = [];
    const mainDuring: Array<number | undefined> = [];
    const result = await sync.run('erp', {
      steps: ['create'],
      trigger: 'cli',
      onPage: () => {
        during.push(threadNiceValues());
        mainDuring.push(niceOf(process.pid));
      },
    });
    expect(result.status).toBe('succeeded');
    expect(before).not.toContain(nice);
    expect(during.length).toBeGreaterThan(0);
    for (const values of during) expect(values).toContain(nice);
    // Only the cycle's own thread yields: this one keeps its priority.
    expect(mainDuring).toEqual(during.map(() => mainBefore));
    expect(during[0]!.filter((n) => n === nice)).toHaveLength(1);
  });

  it('a stop reaches the thread: the run ends aborted, what was applied stays whole', async () => {
    const { sync } = await setUp(6);
    sim.inject({ kind: 'slow', delayMs: 300 }, { path: 'contrato' });
    const stop = new AbortController();
    const running = sync.run('erp', { steps: ['create'], trigger: 'cli', signal: stop.signal });
    setTimeout(() => stop.abort(new Error('shutting down')), 100);
    const result = await running;
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'aborted' });
    expect(result.error?.message).toContain('shutting down');
    const clients = await server.ctx.db.ftthClient.findMany({ include: { property: true } });
    for (const c of clients) expect(c.property?.port).not.toBeNull();
  });
});
