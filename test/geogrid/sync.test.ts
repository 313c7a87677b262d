/* eslint-disable @typescript-eslint/no-unsafe-assignment -- expect.stringMatching() is typed any */
// Geogrid syncs end to end: the production client against the simulated Geogrid over HTTPS, the
// planner and the applier writing a real database (SQLite and PostgreSQL), and the viability
// index reading it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GeogridSync } from '../../src/integrations/geogrid/sync.js';
import { testProviders } from '../support/db.js';
import { startGeogridHarness, POINT, type GeogridHarness } from '../support/geogrid-harness.js';

/** Port lists read one by one (not the batched summary). */
function portLists(h: GeogridHarness): number {
  return h.sim.requests.filter((r) => /^equipamentos\/itemRede\/\d+\/portas$/.test(r.path)).length;
}

describe.each(testProviders())('Geogrid sync on %s', (provider) => {
  let h: GeogridHarness;
  afterEach(async () => h?.close());

  it('brings service splitters and their boxes by default, with port occupancy, and nothing else', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const ana = sim.addClient({ nome: 'Ana (Geogrid)' });
    const cto = sim.addItem({
      sigla: 'CTO-01',
      observacao: '<p>Rua A&amp;B</p>',
      splitters: [{ ports: 8, clients: { 2: ana.id }, reserved: [5] }],
    });
    const two = sim.addItem({
      sigla: 'CTO-02',
      lat: -23.426,
      splitters: [{ ports: 16 }, { ports: 4, service: false }],
    });
    const ceo = sim.addItem({
      type: 'caixa',
      sigla: 'CEO-01',
      splitters: [{ ports: 4, service: false }],
    });
    const pole = sim.addItem({ type: 'poste', sigla: 'P-1', splitters: [{ ports: 8 }] });
    const planned = sim.addItem({ sigla: 'CTO-PLAN', planned: true });

    const run = await h.run();
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.counts).toMatchObject({ created: 3, ignored: 1, skipped: 0, error: 0 });
    const db = h.server.ctx.db;
    const box1 = (await h.boxOf(cto.id))!;
    expect(await db.box.findUnique({ where: { id: box1 } })).toMatchObject({
      name: 'CTO-01',
      projectId: h.projectId,
      lat: -23.4253,
      draft: false,
      observation: 'Rua A&B',
    });
    expect(await h.boxOf(ceo.id)).toBeNull();
    expect(await h.boxOf(pole.id)).toBeNull();
    expect(await db.pole.count()).toBe(0);
    // Port 2 is held for Geogrid's client, port 5 is reserved there: 6 of 8 free.
    expect(h.availability(box1)).toBe(6);
    const hold = await db.property.findFirstOrThrow({
      where: { boxId: box1, port: 2 },
      include: { client: true },
    });
    expect(hold.client).toMatchObject({
      name: 'Ana (Geogrid)',
      implanted: true,
      reservedBy: 'geogrid:rede',
    });
    expect(
      await db.splitterPort.findMany({ where: { blocked: true }, select: { index: true } }),
    ).toEqual([{ index: 5 }]);
    // Only the service splitter of CTO-02 comes over.
    const box2 = (await h.boxOf(two.id))!;
    expect(
      await db.splitter.findMany({
        where: { boxId: box2 },
        select: { ratioOut: true, isDrop: true },
      }),
    ).toEqual([{ ratioOut: 16, isDrop: true }]);
    expect(h.availability(box2)).toBe(16);
    // Planned in Geogrid → Em projeto here: never viable.
    const plannedBox = (await h.boxOf(planned.id))!;
    expect(await db.box.findUnique({ where: { id: plannedBox }, select: { draft: true } })).toEqual(
      { draft: true },
    );
    expect(
      h.server.ctx.viability
        .check({ ...POINT, radius: 500 })
        .refused.find((b) => b.id === plannedBox)?.reason,
    ).toBe('draft');

    // An unchanged re-sync reads no port list and writes nothing.
    const portReads = portLists(h);
    expect(portReads).toBe(3);
    const again = await h.run();
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3, removed: 0 });
    expect(portLists(h)).toBe(portReads);

    // Ports 7 and 8 (open, so without a row here) are reserved in Geogrid and port 5 released.
    sim.port(cto.id, 7).reserved = true;
    sim.port(cto.id, 8).reserved = true;
    sim.port(cto.id, 5).reserved = false;
    const moved = await h.run();
    expect(moved.counts).toMatchObject({ updated: 1, error: 0 });
    expect(
      await db.splitterPort.findMany({
        where: { splitter: { boxId: box1 } },
        orderBy: { index: 'asc' },
        select: { index: true, blocked: true },
      }),
    ).toEqual([
      { index: 5, blocked: false },
      { index: 7, blocked: true },
      { index: 8, blocked: true },
    ]);
    expect(h.availability(box1)).toBe(5);
  });

  it('brings opt-in kinds: poles with a service box attached, boxes without service splitters, distribution splitters', async () => {
    h = await startGeogridHarness(provider, {
      elements: ['poles', 'boxes', 'distribution-splitters'],
    });
    const { sim } = h;
    const pole = sim.addItem({
      type: 'poste',
      sigla: 'P-100',
      observacao: 'Poste de concreto',
      splitters: [{ ports: 8 }],
    });
    const bare = sim.addItem({ type: 'poste', sigla: 'P-101', splitters: [] });
    const ceo = sim.addItem({
      type: 'caixa',
      sigla: 'CEO-9',
      splitters: [{ ports: 4, service: false }],
    });
    const run = await h.run();
    expect(run.counts).toMatchObject({ created: 3, ignored: 0 });
    const db = h.server.ctx.db;
    const poles = await db.pole.findMany({
      orderBy: { name: 'asc' },
      include: { boxes: { include: { splitters: true } } },
    });
    expect(
      poles.map((p) => [p.name, p.observation, p.boxes.length, p.boxes[0]?.splitters.length]),
    ).toEqual([
      ['P-100', 'Poste de concreto', 1, 1],
      ['P-101', null, 1, 0],
    ]);
    expect(poles[0]!.boxes[0]).toMatchObject({
      name: 'P-100',
      lat: -23.4253,
      observation: 'Caixa de atendimento do poste P-100 (Geogrid)',
    });
    expect(h.availability(poles[0]!.boxes[0]!.id)).toBe(8);
    const ceoBox = (await h.boxOf(ceo.id))!;
    expect(
      await db.splitter.findMany({
        where: { boxId: ceoBox },
        select: { isDrop: true, ratioOut: true },
      }),
    ).toEqual([{ isDrop: false, ratioOut: 4 }]);
    const refused = h.server.ctx.viability.check({ ...POINT, radius: 500 }).refused;
    expect(refused.find((b) => b.id === ceoBox)?.reason).toBe('no_drop_splitter');
    expect(await h.boxOf(bare.id)).toBe(poles[1]!.boxes[0]!.id);
    expect(await h.boxOf(pole.id)).toBe(poles[0]!.boxes[0]!.id);
  });

  it('follows Geogrid between runs: moved, renamed, re-flagged, clients come and go, deleted with and without clients', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const db = h.server.ctx.db;
    const a = sim.addItem({ sigla: 'CTO-A', splitters: [{ ports: 8 }] });
    const b = sim.addItem({ sigla: 'CTO-B', splitters: [{ ports: 8, reserved: [1] }] });
    const c = sim.addItem({ sigla: 'CTO-C', splitters: [{ ports: 8 }] });
    const d = sim.addItem({ sigla: 'CTO-D', splitters: [{ ports: 8 }] });
    await h.run();
    const [boxA, boxB, boxC, boxD] = await Promise.all([a, b, c, d].map((i) => h.boxOf(i.id)));
    // A reservation of ours on CTO-A and on CTO-C (made here, through the reservation service).
    const reserve = (boxId: string, code: string) =>
      h.server.ctx.reservations.reserve({
        clientCode: code,
        client: { name: 'Reserva' },
        point: POINT,
        target: { kind: 'box', boxId },
        reservedBy: 'test',
        expiresInDays: null,
      });
    await reserve(boxA!, 'R-A');
    await reserve(boxC!, 'R-C');
    expect(h.availability(boxA!)).toBe(7);

    sim.moveNorth(a.id, 2000);
    sim.updateItem(b.id, { sigla: 'CTO-B2' });
    sim.port(b.id, 1).reserved = false;
    const joe = sim.addClient({ nome: 'Joe' });
    sim.attach(sim.port(b.id, 4).id, joe.id);
    sim.reflag(sim.item(d.id).equipment[0]!.id, false);
    sim.deleteItem(c.id);
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ updated: 2, removed: 1, kept: 1 });
    const report = await h.server.ctx.syncRuns.get(run.runId);
    const about = (item: number) => report.items.filter((i) => i.itemId === String(item));
    // Moved 2 km: moved here, and its client is reported.
    const movedBox = await db.box.findUniqueOrThrow({ where: { id: boxA! } });
    expect(movedBox.lat).toBeCloseTo(-23.4253 + 2000 / 111_195, 6);
    expect(about(a.id).map((i) => i.reason ?? i.outcome)).toEqual([
      'updated',
      'moved_with_clients',
    ]);
    expect(about(a.id)[1]?.message).toMatch(/moved 2\.0 km in Geogrid; it holds 1 client/);
    // Renamed, reservation ended, a client arrived.
    expect(await db.box.findUniqueOrThrow({ where: { id: boxB! } })).toMatchObject({
      name: 'CTO-B2',
    });
    expect(h.availability(boxB!)).toBe(7);
    expect(about(b.id)[0]?.message).toMatch(
      /name: "CTO-B" → "CTO-B2".*1 port\(s\) taken by Geogrid clients.*1 Geogrid reservation\(s\) ended/,
    );
    // Deleted with a client of ours: kept, out of sale, flagged; without clients: removed.
    expect(await db.box.findUniqueOrThrow({ where: { id: boxC! } })).toMatchObject({ draft: true });
    expect((await db.box.findUniqueOrThrow({ where: { id: boxC! } })).observation).toMatch(
      /Removida do Geogrid em 10\/03\/2026/,
    );
    expect(about(c.id)).toMatchObject([{ outcome: 'kept', reason: 'gone_with_clients' }]);
    expect(await db.ftthClient.findUnique({ where: { code: 'R-C' } })).not.toBeNull();
    // Re-flagged to distribution: no service splitter left, nothing of ours on it: removed.
    expect(await db.box.findUnique({ where: { id: boxD! } })).toBeNull();
    expect(about(d.id)).toMatchObject([{ outcome: 'removed' }]);
    expect(
      h.server.ctx.viability.check({ ...POINT, radius: 3000 }).boxes.map((x) => x.id),
    ).not.toContain(boxD);

    // The kept box is flagged again on the next run; it comes back if Geogrid has it again.
    const again = await h.run();
    expect(again.counts).toMatchObject({ kept: 1, removed: 0 });
    expect(
      (await h.server.ctx.syncRuns.get(again.runId)).items.find((i) => i.outcome === 'kept')
        ?.reason,
    ).toBe('still_gone_with_clients');
    // Joe leaves: his port is free again.
    sim.attach(sim.port(b.id, 4).id, null);
    await h.run();
    expect(h.availability(boxB!)).toBe(8);
  });

  it('skips items it cannot believe, with the reason, and leaves what it has', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    sim.addItem({ sigla: 'CTO-SEM', lat: '', lng: '' });
    sim.addItem({ sigla: 'CTO-LONGE', lat: '-123,5', lng: '-51' });
    const bad = sim.addItem({ sigla: 'CTO-BAD', splitters: [{ ports: 4 }] });
    sim.item(bad.id).equipment[0]!.ports[3]!.porta = 2;
    const ok = sim.addItem({ sigla: 'CTO-OK', splitters: [{ ports: 4 }] });
    const run = await h.run();
    expect(run.counts).toMatchObject({
      created: 1,
      skipped: 3,
      skippedByReason: { no_coordinates: 1, invalid_coordinates: 1, contradictory_ports: 1 },
    });
    const report = await h.server.ctx.syncRuns.get(run.runId, { outcome: 'skipped' });
    expect(report.items.find((i) => i.itemId === String(bad.id))?.message).toBe(
      'its port list contradicts itself (equipment "SPL-1" lists output port 2 twice); left as it was',
    );
    // A synced box whose port list turns contradictory keeps its last good state.
    const box = (await h.boxOf(ok.id))!;
    sim
      .item(ok.id)
      .equipment[0]!.ports.push({ id: 999_999, porta: 9, clientId: null, reserved: false });
    sim.item(ok.id).observacao = 'mudou';
    expect((await h.run()).counts).toMatchObject({ skippedByReason: { contradictory_ports: 2 } });
    expect(
      await h.server.ctx.db.splitter.findFirstOrThrow({ where: { boxId: box } }),
    ).toMatchObject({ ratioOut: 4 });
  });

  it('stops on a Geogrid that fails mid-run without removing anything, and the next run finishes', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const first = Array.from({ length: 5 }, (_, i) => sim.addItem({ sigla: `CTO-${i}` }));
    await h.run();
    sim.deleteItem(first[0]!.id);
    for (let i = 0; i < 600; i++) sim.addItem({ sigla: `NEW-${i}`, splitters: [{ ports: 2 }] });
    sim.inject({ kind: 'status', status: 503 }, { path: 'itensRede', after: 1, times: 10 });
    const failed = await h.run();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'geogrid_unavailable' } });
    expect(failed.error?.message).toMatch(/Geogrid answered 503 to itensRede/);
    // Page 1 applied (4 old + 496 new), nothing removed: the deleted item waits for a full read.
    expect(failed.counts).toMatchObject({ created: 496, removed: 0 });
    expect(await h.boxOf(first[0]!.id)).not.toBeNull();
    sim.clearFaults();
    const next = await h.run();
    expect(next).toMatchObject({ status: 'succeeded' });
    expect(next.counts).toMatchObject({ created: 104, removed: 1 });
    expect(await h.server.ctx.db.box.count()).toBe(604);
  });

  it('waits out a rate-limiting Geogrid and finishes; one that never lets up fails the run, and the next finishes', async () => {
    // Geogrid's clock and ours are one fake clock: a 429's wait passes on it, not on the wall.
    let clock = Date.parse('2026-03-10T15:00:05Z');
    const waits: number[] = [];
    h = await startGeogridHarness(provider, {
      client: {
        pageSize: 2,
        now: () => clock,
        random: () => 0,
        maxRateLimitWaits: 3,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
    });
    const { sim } = h;
    sim.now = () => clock;
    const first = Array.from({ length: 5 }, (_, i) => sim.addItem({ sigla: `CTO-${i}` }));
    sim.perMinute = 4;
    const run = await h.run();
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.counts).toMatchObject({ created: 5, error: 0, skipped: 0 });
    // It waited for the next minute each time Geogrid said 429 (Retry-After), and only then.
    const limited = sim.requests.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThan(0);
    expect(waits).toHaveLength(limited);
    for (const w of waits) expect(w).toBeLessThanOrEqual(60_000);
    for (const i of first) {
      const box = (await h.boxOf(i.id))!;
      expect(h.availability(box)).toBe(8);
    }

    // Geogrid stops answering anything but 429: the run fails with the reason, nothing removed.
    sim.deleteItem(first[0]!.id);
    sim.perMinute = 0;
    const failed = await h.run();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'geogrid_rate_limited' } });
    expect(failed.error?.message).toMatch(/429/);
    expect(await h.boxOf(first[0]!.id)).not.toBeNull();
    expect(await h.server.ctx.db.box.count()).toBe(5);

    sim.perMinute = Number.POSITIVE_INFINITY;
    const next = await h.run();
    expect(next).toMatchObject({ status: 'succeeded' });
    expect(next.counts).toMatchObject({ removed: 1 });
    expect(await h.server.ctx.db.box.count()).toBe(4);
  });

  it('syncs a full page of items with several splitters each (id lists past the parameter limits)', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    // 500 items (one page) x 3 service splitters: 1 500 equipment ids and 1 500 holds in a page.
    const items = Array.from({ length: 500 }, (_, i) => {
      const a = sim.addClient({ nome: `G${i}a` });
      const b = sim.addClient({ nome: `G${i}b` });
      const c = sim.addClient({ nome: `G${i}c` });
      return sim.addItem({
        sigla: `CTO-M${i}`,
        splitters: [
          { ports: 2, clients: { 1: a.id } },
          { ports: 2, clients: { 1: b.id } },
          { ports: 2, clients: { 2: c.id } },
        ],
      });
    });
    const run = await h.run();
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.counts).toMatchObject({ created: 500, error: 0 });
    const db = h.server.ctx.db;
    expect(await db.splitter.count()).toBe(1_500);
    expect(await db.ftthClient.count({ where: { reservedBy: 'geogrid:rede' } })).toBe(1_500);
    if (provider === 'sqlite') {
      // The sync filled an empty inventory and refreshed the planner's statistics on the server's
      // own connection: a page's blocked ports are found through its splitters, never by a scan
      // of every port row of the network.
      const plan = await db.$queryRawUnsafe<Array<{ detail: string }>>(
        `EXPLAIN QUERY PLAN SELECT "index" FROM "SplitterPort" WHERE "blocked" = 1 AND "splitterId" IN ('a', 'b')`,
      );
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH .*\(splitterId=\?\)/);
    }
    // Geogrid frees every port: all 1 500 holds of the page go in one run.
    for (const it of items) {
      for (const e of sim.item(it.id).equipment) for (const p of e.ports) sim.attach(p.id, null);
    }
    const freed = await h.run();
    expect(freed).toMatchObject({ status: 'succeeded' });
    expect(freed.counts).toMatchObject({ updated: 500, error: 0 });
    expect(await db.ftthClient.count({ where: { reservedBy: 'geogrid:rede' } })).toBe(0);
    expect(h.availability((await h.boxOf(items[0]!.id))!)).toBe(6);
  });

  it('reaches a running server through the change log when another process (the CLI) syncs', async () => {
    h = await startGeogridHarness(provider, { env: { NETWORK_SYNC_INTERVAL_SECONDS: '0.2' } });
    const { sim, server } = h;
    const cto = sim.addItem({ sigla: 'CTO-CLI', splitters: [{ ports: 8 }] });
    // Another process: same database, its own (here: silent) index, so only the triggers'
    // change log can tell the server. The applier's multi-row INSERTs must reach it too.
    const elsewhere = new GeogridSync({
      db: server.ctx.db,
      network: {
        boxesChanged: async () => {},
        regionsChanged: async () => {},
        polesChanged: async () => {},
        condosChanged: async () => {},
      },
      integrations: server.ctx.integrations,
      runs: server.ctx.syncRuns,
      links: h.links,
      logger: server.ctx.logger,
      now: () => h.clock.now,
      owner: 'cli-process',
      leaseMs: 60_000,
      client: { retries: 1, backoffMs: 1, timeoutMs: 5_000 },
    });
    expect(await elsewhere.run('rede', { trigger: 'cli' })).toMatchObject({
      status: 'succeeded',
    });
    const box = (await h.boxOf(cto.id))!;
    await vi.waitFor(() => expect(h.availability(box)).toBe(8), { timeout: 10_000, interval: 50 });
    sim.attach(sim.port(cto.id, 1).id, sim.addClient({ nome: 'Geogrid' }).id);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    await elsewhere.run('rede', { trigger: 'cli' });
    await vi.waitFor(() => expect(h.availability(box)).toBe(7), { timeout: 10_000, interval: 50 });
    sim.deleteItem(cto.id);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    expect((await elsewhere.run('rede', { trigger: 'cli' })).counts).toMatchObject({ removed: 1 });
    await vi.waitFor(() => expect(h.availability(box)).toBeUndefined(), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it('reports a wrong token or an unreadable Geogrid as a failed run, and changes nothing', async () => {
    h = await startGeogridHarness(provider);
    h.sim.addItem();
    h.sim.token = 'rotated';
    const run = await h.run();
    expect(run).toMatchObject({ status: 'failed', error: { code: 'geogrid_wrong_token' } });
    expect(await h.server.ctx.db.box.count()).toBe(0);
    const listed = await h.server.ctx.syncRuns.list({ integration: 'rede' });
    expect(listed[0]).toMatchObject({
      status: 'failed',
      errorCode: 'geogrid_wrong_token',
      kind: 'geogrid',
    });
  });

  it('plans without writing on a dry run', async () => {
    h = await startGeogridHarness(provider);
    h.sim.addItem({ sigla: 'CTO-X' });
    const run = await h.run({ dryRun: true });
    expect(run.counts).toMatchObject({ created: 1 });
    expect(await h.server.ctx.db.box.count()).toBe(0);
    const report = await h.server.ctx.syncRuns.get(run.runId);
    expect(report.items[0]?.message).toMatch(/^would be created box "CTO-X"/);
  });

  it('refuses a Geogrid URL that is not https://', async () => {
    h = await startGeogridHarness(provider);
    await expect(
      h.server.ctx.integrations.create({
        name: 'plain',
        kind: 'geogrid',
        url: 'http://eros.geogridmaps.com.br/x/api/v3',
        token: 't',
      }),
    ).rejects.toMatchObject({
      status: 400,
      field: 'url',
      message: expect.stringMatching(/^url must start with https:\/\//),
    });
    await expect(
      h.server.ctx.integrations.create({
        name: 'notoken',
        kind: 'geogrid',
        url: 'https://x.example/api/v3',
      }),
    ).rejects.toMatchObject({
      field: 'token',
    });
    await expect(
      h.server.ctx.integrations.create({
        name: 'bad',
        kind: 'geogrid',
        url: 'https://x.example/api/v3',
        token: 't',
        settings: { elements: 'poles,cabos' },
      }),
    ).rejects.toMatchObject({
      field: 'elements',
      message: expect.stringMatching(/unknown element\(s\) cabos/),
    });
  });
});
