// Geogrid syncs end to end: the production client against the simulated Geogrid over HTTPS, the
// planner and the applier writing a real database (SQLite and PostgreSQL), and the viability
// index reading it.
import { afterEach, describe, expect, it } from 'vitest';
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
  });
});
