// Geogrid's change notifications over real HTTP: the shared secret, the deltas applied at once and
// visible to viability, and what is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { startGeogridHarness, POINT, type GeogridHarness } from '../support/geogrid-harness.js';

describe.each(testProviders())('Geogrid notifications on %s', (provider) => {
  let h: GeogridHarness;
  afterEach(async () => h?.close());

  const url = () => `${h.server.url}/webhooks/geogrid/${h.integration}`;
  const viableIds = () =>
    h.server.ctx.viability.check({ ...POINT, radius: 3000 }).boxes.map((b) => b.id);

  it('refuses a wrong or missing secret with 401 and changes nothing', async () => {
    h = await startGeogridHarness(provider);
    const item = h.sim.addItem({ sigla: 'CTO-W' });
    for (const auth of [undefined, 'wrong-secret', `Bearer ${h.webhookSecret}x`]) {
      const res = await h.sim.notify(url(), { idItemRede: item.id }, auth);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/notification secret/) as unknown,
      });
    }
    const unknown = await h.sim.notify(
      `${h.server.url}/webhooks/geogrid/nada`,
      { idItemRede: item.id },
      h.webhookSecret,
    );
    expect(unknown.status).toBe(401);
    expect(await h.server.ctx.db.box.count()).toBe(0);
    expect(h.sim.requests).toHaveLength(0);
  });

  it('applies the items a notification names at once: new, moved, re-flagged, deleted', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const item = sim.addItem({ sigla: 'CTO-N', splitters: [{ ports: 8 }] });
    const res = await sim.notify(url(), { idItemRede: item.id }, h.webhookSecret);
    expect(res).toMatchObject({
      status: 200,
      body: { status: 'succeeded', items: 1, counts: { created: 1 } },
    });
    // Visible to viability as soon as the notification is answered (speed: bench/geogrid.ts).
    const box = (await h.boxOf(item.id))!;
    expect(viableIds()).toContain(box);

    const joe = sim.addClient({ nome: 'Joe' });
    sim.attach(sim.port(item.id, 3).id, joe.id);
    expect(
      (await sim.notify(url(), [{ idItemRede: item.id }], `Bearer ${h.webhookSecret}`)).status,
    ).toBe(200);
    expect(h.availability(box)).toBe(7);
    const hold = await h.server.ctx.db.property.findFirstOrThrow({
      where: { boxId: box, port: 3 },
      include: { client: true },
    });
    expect(hold.client?.name).toBe('Joe');
    // The unknown Geogrid client was looked up (it might have been ours).
    expect(sim.requestsTo(`clientes/${joe.id}`)).toHaveLength(1);

    sim.moveNorth(item.id, 5000);
    await sim.notify(url(), { dados: { id: item.id } }, h.webhookSecret);
    expect(viableIds()).not.toContain(box);

    sim.deleteItem(item.id);
    const gone = await sim.notify(url(), { id: item.id }, h.webhookSecret);
    expect(gone).toMatchObject({ status: 200, body: { counts: { removed: 1 } } });
    expect(await h.server.ctx.db.box.findUnique({ where: { id: box } })).toBeNull();
    expect(await h.server.ctx.db.ftthClient.count({ where: { reservedBy: 'geogrid:rede' } })).toBe(
      0,
    );

    const runs = await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'delta' });
    expect(runs.map((r) => r.trigger)).toEqual(['webhook', 'webhook', 'webhook', 'webhook']);
  });

  it('answers 400 to a notification without items, 409 once unlinked, 502 when Geogrid cannot be read', async () => {
    h = await startGeogridHarness(provider);
    const item = h.sim.addItem();
    const empty = await h.sim.notify(url(), { evento: 'alteracao' }, h.webhookSecret);
    expect(empty).toMatchObject({ status: 400, body: { field: 'idItemRede' } });
    h.sim.inject({ kind: 'status', status: 500 }, { times: 5 });
    const down = await h.sim.notify(url(), { idItemRede: item.id }, h.webhookSecret);
    expect(down).toMatchObject({
      status: 502,
      body: { status: 'failed', code: 'geogrid_unavailable' },
    });
    h.sim.clearFaults();
    await h.links.unlink(h.integration);
    const unlinked = await h.sim.notify(url(), { idItemRede: item.id }, h.webhookSecret);
    expect(unlinked.status).toBe(409);
    expect(await h.server.ctx.db.box.count()).toBe(0);
  });
});
