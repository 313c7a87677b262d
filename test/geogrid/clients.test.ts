// Clients between Geogrid and us: matched by CPF/CNPJ plus observacao (our id), placed on the port
// Geogrid has them on; and the only write to Geogrid, a confirmed client's basic data and port.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { testProviders } from '../support/db.js';
import { startGeogridHarness, POINT, type GeogridHarness } from '../support/geogrid-harness.js';

describe.each(testProviders())('Geogrid clients on %s', (provider) => {
  let h: GeogridHarness;
  afterEach(async () => h?.close());

  async function reserve(boxId: string, code: string, document?: string) {
    return h.server.ctx.reservations.reserve({
      clientCode: code,
      client: { name: `Cliente ${code}`, ...(document ? { document } : {}) },
      point: POINT,
      address: 'Rua das Flores, 10 - Centro, Maringá - PR',
      target: { kind: 'box', boxId },
      reservedBy: 'test',
      expiresInDays: null,
    });
  }

  function pushes() {
    return h.sim.requests.filter((r) => r.method === 'POST');
  }

  it('matches Geogrid clients to ours by observacao and CPF/CNPJ, and places ours on their Geogrid port', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const db = h.server.ctx.db;
    const here = sim.addItem({ sigla: 'CTO-1', splitters: [{ ports: 8 }] });
    await h.run();
    const box = (await h.boxOf(here.id))!;
    const mine = await reserve(box, 'C-1', '123.456.789-09');
    const other = await reserve(box, 'C-2', '98765432100');
    const byDoc = await reserve(box, 'C-3', '11.222.333/0001-81');
    // Geogrid has C-1 (observacao = our id, same CPF) on port 6, a client naming C-2 with another
    // CPF on port 7, and a client with C-3's CNPJ and no id on port 8.
    const g1 = sim.addClient({
      nome: 'C1 no Geogrid',
      cpfCnpj: '12345678909',
      observacao: `<p>${mine.clientId}</p>`,
    });
    const g2 = sim.addClient({
      nome: 'Outra pessoa',
      cpfCnpj: '11111111111',
      observacao: other.clientId,
    });
    const g3 = sim.addClient({ nome: 'Empresa', cpfCnpj: '11222333000181' });
    sim.attach(sim.port(here.id, 6).id, g1.id);
    sim.attach(sim.port(here.id, 7).id, g2.id);
    sim.attach(sim.port(here.id, 8).id, g3.id);

    const run = await h.run();
    expect(run.counts).toMatchObject({ clients: 3, matched: 2 });
    const report = await h.server.ctx.syncRuns.get(run.runId);
    expect(report.items.find((i) => i.reason === 'document_mismatch')?.message).toMatch(
      new RegExp(
        `Geogrid client ${g2.id} names our client ${other.clientId} in observacao, but its CPF/CNPJ differs`,
      ),
    );
    expect(report.items.filter((i) => i.reason === 'client_moved').map((i) => i.message)).toEqual([
      'client C-1 is on port 6 of "SPL-1" in Geogrid: moved there from its port here',
      'client C-3 is on port 8 of "SPL-1" in Geogrid: moved there from its port here',
    ]);
    const port = async (code: string) =>
      (await db.ftthClient.findUniqueOrThrow({ where: { code }, include: { property: true } }))
        .property?.port;
    expect(await port('C-1')).toBe(6);
    expect(await port('C-3')).toBe(8);
    expect(await port('C-2')).toBe(other.port);
    // Port 7 is held for Geogrid's (unmatched) client; the ports C-1 and C-3 left are free again.
    const hold = await db.property.findFirstOrThrow({
      where: { boxId: box, port: 7 },
      include: { client: true },
    });
    expect(hold.client).toMatchObject({ reservedBy: 'geogrid:rede', name: 'Outra pessoa' });
    expect(h.availability(box)).toBe(8 - 4);
    expect(
      await db.geogridClient.findMany({
        orderBy: { matchedBy: 'asc' },
        select: { clientId: true, matchedBy: true, pushStatus: true },
      }),
    ).toEqual([
      { clientId: byDoc.clientId, matchedBy: 'document', pushStatus: 'attached' },
      { clientId: mine.clientId, matchedBy: 'observacao', pushStatus: 'attached' },
    ]);
    // Nothing was written to Geogrid: none of them is confirmed, and matched ones are there already.
    expect(pushes()).toEqual([]);
  });

  it('sends a client to Geogrid only once it is confirmed, on its port, and never twice', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const db = h.server.ctx.db;
    const cto = sim.addItem({
      sigla: 'CTO-P',
      lat: -23.4261,
      lng: -51.9391,
      splitters: [{ ports: 8 }],
    });
    await h.run();
    const box = (await h.boxOf(cto.id))!;
    const r = await reserve(box, 'V-1', '529.982.247-25');
    expect(r.port).toBe(1);
    // A reservation is not confirmed: nothing goes to Geogrid.
    expect(await h.sync.push('rede')).toMatchObject({ candidates: 0 });
    await h.run();
    expect(pushes()).toEqual([]);

    await db.ftthClient.update({ where: { id: r.clientId }, data: { implanted: true } });
    const totals = await h.sync.push('rede');
    expect(totals).toMatchObject({ candidates: 1, pushed: 1, conflicts: 0 });
    const [createClient, attach] = pushes();
    expect(createClient).toMatchObject({
      path: 'clientes',
      body: {
        dados: {
          nome: 'Cliente V-1',
          cpfCnpj: '52998224725',
          tipo: 'F',
          endereco: 'Rua das Flores, 10 - Centro, Maringá - PR',
          observacao: r.clientId,
        },
      },
    });
    const geogridClient = sim.clientList.find((c) => c.observacao === r.clientId)!;
    expect(attach).toMatchObject({
      path: 'integracao/atender',
      body: { idPorta: sim.port(cto.id, 1).id, idCliente: geogridClient.id },
    });
    expect(sim.attached).toEqual([
      { portId: sim.port(cto.id, 1).id, clientId: geogridClient.id, drawnDrop: false },
    ]);
    expect(sim.port(cto.id, 1).clientId).toBe(geogridClient.id);
    const run = (await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'push' }))[0]!;
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'schedule', counts: { pushed: 1 } });
    expect(JSON.stringify(await h.server.ctx.syncRuns.get(run.id))).not.toContain('Cliente V-1');

    // The next sync sees our client on that port in Geogrid: no hold, no second push.
    const after = await h.run();
    expect(after.counts).toMatchObject({ pushed: 0 });
    expect(await db.ftthClient.count({ where: { reservedBy: 'geogrid:rede' } })).toBe(0);
    expect(await h.sync.push('rede')).toMatchObject({ candidates: 0 });
    expect(pushes()).toHaveLength(2);
    expect(h.availability(box)).toBe(7);
  });

  it('reports a port Geogrid has taken (409) or reserved, and does not retry it', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const db = h.server.ctx.db;
    const cto = sim.addItem({ sigla: 'CTO-Q', splitters: [{ ports: 4 }] });
    await h.run();
    const box = (await h.boxOf(cto.id))!;
    const a = await reserve(box, 'Q-1');
    const b = await reserve(box, 'Q-2');
    await db.ftthClient.updateMany({
      where: { code: { in: ['Q-1', 'Q-2'] } },
      data: { implanted: true },
    });
    // Someone takes Q-1's port in Geogrid before we push; Q-2's attach answers 409.
    const stranger = sim.addClient({ nome: 'Outro' });
    sim.attach(sim.port(cto.id, a.port).id, stranger.id);
    sim.inject(
      { kind: 'status', status: 409, body: { portaOcupada: 'A porta já está ocupada' } },
      { path: 'integracao/atender' },
    );
    const totals = await h.sync.push('rede');
    expect(totals).toMatchObject({ candidates: 2, pushed: 0, conflicts: 2 });
    const run = (await h.server.ctx.syncRuns.list({ integration: 'rede', cycle: 'push' }))[0]!;
    const items = (await h.server.ctx.syncRuns.get(run.id)).items;
    expect(items.map((i) => [i.itemId, i.reason])).toEqual([
      ['cliente Q-1', 'geogrid_port_taken'],
      ['cliente Q-2', 'geogrid_port_taken'],
    ]);
    expect(items[1]?.message).toMatch(
      /Geogrid refused port 2 of box "CTO-Q": Geogrid refused integracao\/atender \(409\)/,
    );
    // Not retried: the next passes leave them alone until they move.
    const before = pushes().length;
    expect(await h.sync.push('rede')).toMatchObject({ candidates: 0 });
    expect(pushes()).toHaveLength(before);
    expect(
      await db.geogridClient.findMany({
        select: { clientId: true, pushStatus: true },
        orderBy: { clientId: 'asc' },
      }),
    ).toEqual(
      [a, b]
        .map((x) => ({ clientId: x.clientId, pushStatus: 'conflict' }))
        .sort((x, y) => x.clientId.localeCompare(y.clientId)),
    );
  });

  it('retries a push when Geogrid is down, later, with a growing wait', async () => {
    h = await startGeogridHarness(provider);
    const { sim } = h;
    const db = h.server.ctx.db;
    const cto = sim.addItem({ sigla: 'CTO-R' });
    await h.run();
    const r = await reserve((await h.boxOf(cto.id))!, 'D-1');
    await db.ftthClient.update({ where: { id: r.clientId }, data: { implanted: true } });
    sim.inject({ kind: 'status', status: 503 }, { path: 'integracao/atender', times: 2 });
    expect(await h.sync.push('rede')).toMatchObject({ retrying: 1, pushed: 0 });
    const row = await db.geogridClient.findFirstOrThrow();
    expect(row).toMatchObject({ pushStatus: 'retry', attempts: 1 });
    expect(row.nextAttemptAt?.toISOString()).toBe('2026-03-10T15:06:00.000Z');
    // Not due yet: nothing sent; once due, it goes through (reusing the Geogrid client made).
    expect(await h.sync.push('rede')).toMatchObject({ candidates: 0 });
    h.clock.now = new Date('2026-03-10T15:07:00Z');
    expect(await h.sync.push('rede')).toMatchObject({ pushed: 1 });
    expect(sim.clientList.filter((c) => c.observacao === r.clientId)).toHaveLength(1);
  });

  it('keeps names, addresses and CPF/CNPJ out of the logs and run reports, whatever Geogrid answers', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    h = await startGeogridHarness(provider, { logger: createLogger('debug', sink) });
    const { sim } = h;
    const db = h.server.ctx.db;
    const cto = sim.addItem({ sigla: 'CTO-L', splitters: [{ ports: 8 }] });
    const theirs = sim.addClient({ nome: 'Joana Geogrid Prado', cpfCnpj: '39053344705' });
    sim.attach(sim.port(cto.id, 3).id, theirs.id);
    await h.run();
    const box = (await h.boxOf(cto.id))!;
    const ok = await reserve(box, 'L-1', '529.982.247-25');
    const refused = await reserve(box, 'L-2', '111.444.777-35');
    const down = await reserve(box, 'L-3', '11.222.333/0001-81');
    await db.ftthClient.updateMany({
      where: { id: { in: [ok.clientId, refused.clientId, down.clientId] } },
      data: { implanted: true },
    });
    // Geogrid refuses the first client's data (422 echoing it back), answers 503 to the third.
    sim.inject(
      {
        kind: 'status',
        status: 422,
        body: { cpfCnpj: 'CPF 52998224725 de Cliente L-1 já cadastrado' },
      },
      { path: 'clientes', times: 1 },
    );
    sim.inject({ kind: 'status', status: 503 }, { path: 'clientes', times: 5, after: 1 });
    const totals = await h.sync.push('rede');
    expect(totals).toMatchObject({ candidates: 3, pushed: 1, rejected: 1, retrying: 1 });
    sim.clearFaults();
    await h.run();

    const reports = await h.server.ctx.syncRuns.list({ integration: 'rede' });
    const stored = JSON.stringify(
      await Promise.all(reports.map((r) => h.server.ctx.syncRuns.get(r.id))),
    );
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [
      'Joana Geogrid Prado',
      '39053344705',
      'Cliente L-1',
      'Cliente L-2',
      'Cliente L-3',
      '52998224725',
      '529.982.247-25',
      '11144477735',
      '111.444.777-35',
      '11222333000181',
      '11.222.333/0001-81',
      'Rua das Flores',
    ]) {
      expect(log).not.toContain(secret);
      // Nor in the run reports, though Geogrid echoed the name back in its refusal.
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain('cpfCnpj: CPF [cpf] de [nome] já cadastrado');
  });
});
