/* eslint-disable @typescript-eslint/no-unsafe-assignment -- expect.stringMatching() is typed any */
// SGP cycles end to end: the production client against the simulated SGP, the planner and the
// applier writing a real database (SQLite and PostgreSQL), and the viability index reading it.
import { afterEach, describe, expect, it } from 'vitest';
import { releaseExpiredReservations } from '../../src/jobs/reservation-expiry.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { createBox, type FixtureBox } from '../support/network-fixture.js';
import { testProviders } from '../support/db.js';
import { startSgpHarness, type SgpHarness } from '../support/sgp-harness.js';

const POINT = { lat: -23.4253, lng: -51.9386 };

describe.each(testProviders())('SGP cycles on %s', (provider) => {
  let h: SgpHarness;
  afterEach(async () => h?.close());

  async function boxes(...specs: Array<Parameters<typeof createBox>[1]>): Promise<FixtureBox[]> {
    const made: FixtureBox[] = [];
    for (const s of specs) made.push(await createBox(h.server.ctx.db, { ...POINT, ...s }));
    await h.server.ctx.network.boxesChanged(made.map((b) => b.boxId));
    return made;
  }

  function client(code: string) {
    return h.server.ctx.db.ftthClient.findUnique({ where: { code }, include: { property: true } });
  }

  function availability(boxId: string): number | undefined {
    return h.server.ctx.viability.check({ ...POINT, radius: 500 }).boxes.find((b) => b.id === boxId)
      ?.availability;
  }

  it('creates contracts at the box of the same name, and skips the rest with their reasons', async () => {
    h = await startSgpHarness(provider);
    const [a, sem] = await boxes(
      { name: 'CTO-A', splitters: [{ ratio: 8, isDrop: true }] },
      { name: 'CTO-SEM', splitters: [] },
      { name: 'CTO-DUP' },
      { name: 'CTO-DUP' },
    );
    // Port 2 of CTO-A is held by a client made here.
    await h.server.ctx.db.ftthClient.create({ data: { id: 'c'.repeat(24), code: 'LOCAL-1' } });
    await h.server.ctx.db.property.create({
      data: {
        id: 'p'.repeat(24),
        projectId: a!.projectId,
        boxId: a!.boxId,
        splitterId: a!.splitterIds[0]!,
        port: 2,
        clientId: 'c'.repeat(24),
      },
    });
    await h.server.ctx.network.boxesChanged([a!.boxId]);
    const s = h.sim;
    s.addContract({ contractId: 1001, name: 'Ana Lima', cto: 'CTO-A', port: 3, rx: '-20.017' });
    s.addContract({ contractId: 1002, cto: 'CTO-A', port: 2, rx: 'N/A', connection: 'offline' });
    s.addContract({ contractId: 1003, cto: 'CTO-SEM', port: 1 });
    s.addContract({ contractId: 1004, cto: 'CTO-NADA', port: 1 });
    s.addContract({ contractId: 1005, cto: 'CTO-DUP', port: 1 });
    s.addContract({ contractId: 1006, cto: null });
    s.addContract({ contractId: 1007, cto: 'CTO-A', port: 4, lat: '', lng: '' });
    s.addContract({ contractId: 1008, cto: 'CTO-A', port: 5, statusText: 'Bloqueado' });
    s.addContract({ contractId: 1009, cto: 'CTO-A', port: 6, status: 3 });
    s.addContract({ contractId: 1010, cto: 'CTO-A', port: 7, status: 6, statusText: ' Novo ' });
    s.addContract({ contractId: 1011, cto: 'CTO-A', port: 8, status: 2 });

    const run = await h.cycle(['create', 'update']);
    expect(run).toMatchObject({ status: 'succeeded', cycle: 'create+update' });
    expect(run.counts).toMatchObject({
      contracts: 11,
      created: 5,
      skipped: 5,
      ignored: 1,
      skippedByReason: {
        box_not_found: 1,
        box_name_ambiguous: 1,
        no_cto_in_sgp: 1,
        no_coordinates: 1,
        unknown_status: 1,
      },
    });
    expect(await client('1001')).toMatchObject({
      name: 'Ana Lima',
      implanted: true,
      status: 0,
      reservedBy: 'sgp:erp',
      reservationExpiresAt: null,
      property: {
        boxId: a!.boxId,
        splitterId: a!.splitterIds[0],
        port: 3,
        potencyRead: -20.017,
        lat: -23.4253,
        lng: -51.9386,
        address: 'Avenida Brasil, 100 - Zona 01, Maringá - PR, 87013-000',
      },
    });
    // SGP's port 2 is taken here: the first free port, and the report says so.
    expect(await client('1002')).toMatchObject({
      status: 1,
      property: { port: 1, potencyRead: null },
    });
    expect(await client('1003')).toMatchObject({
      property: { boxId: sem!.boxId, splitterId: null, port: null },
    });
    expect(await client('1010')).toMatchObject({ implanted: true, property: { port: 7 } });
    expect(await client('1011')).toMatchObject({ implanted: false, property: { port: 8 } });
    for (const code of ['1004', '1005', '1006', '1007', '1008', '1009']) {
      expect(await client(code)).toBeNull();
    }
    // The very next viability query sees the four ports taken on CTO-A (plus LOCAL-1's).
    expect(availability(a!.boxId)).toBe(3);

    const report = await h.runs.get(run.runId);
    const byItem = (id: string) => report.items.filter((i) => i.itemId === id);
    expect(byItem('1002').map((i) => [i.outcome, i.reason, i.message])).toEqual([
      ['created', undefined, `created at box "CTO-A", S1 port 1`],
      [
        'note',
        'sgp_port_taken',
        "SGP's port 2 is taken here by client LOCAL-1: connected at S1 port 1",
      ],
    ]);
    expect(byItem('1003').map((i) => i.reason)).toEqual([undefined, 'box_without_splitter']);
    expect(byItem('1004')).toMatchObject([
      { outcome: 'skipped', reason: 'box_not_found', message: 'no box named "CTO-NADA" here' },
    ]);
    expect(byItem('1005')[0]?.message).toMatch(/2 boxes are named "CTO-DUP"/);

    // Re-running changes nothing.
    const before = await h.server.ctx.db.property.findMany({ orderBy: { id: 'asc' } });
    const again = await h.cycle(['create', 'update']);
    expect(again.counts).toMatchObject({ contracts: 11, unchanged: 5, skipped: 5 });
    expect(again.counts.created ?? 0).toBe(0);
    expect(again.counts.updated ?? 0).toBe(0);
    expect(await h.server.ctx.db.property.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });

  it('updates name, RX, coordinates, address and connection, and implants on Ativo/Suspenso/Novo/Reduzida', async () => {
    h = await startSgpHarness(provider);
    await boxes({ name: 'CTO-U', splitters: [{ ratio: 16, isDrop: true }] });
    for (let i = 0; i < 6; i++) {
      h.sim.addContract({ contractId: 2000 + i, cto: 'CTO-U', port: i + 1, status: i < 2 ? 1 : 2 });
    }
    await h.cycle(['create', 'update']);
    h.sim.updateContract(2000, {
      name: 'Maria Souza',
      rx: '-22.5 dBm',
      lat: '-23.4301',
      lng: '-51.9402',
      address: { logradouro: 'Rua das Flores', numero: '77' },
    });
    h.sim.updateContract(2001, { rx: 'N/A', connection: 'offline' });
    h.sim.setStatus(2002, 1);
    h.sim.setStatus(2003, 4, 'Suspenso');
    h.sim.setStatus(2004, 6);
    h.sim.setStatus(2005, 7, 'Ativo V. Reduzida');
    // Someone renamed a client here: the ERP wins.
    await h.server.ctx.db.ftthClient.update({ where: { code: '2002' }, data: { name: 'Outro' } });

    const run = await h.cycle(['create', 'update']);
    expect(run.counts).toMatchObject({ updated: 3, implanted: 4, unchanged: 0 });
    expect(await client('2000')).toMatchObject({
      name: 'Maria Souza',
      property: {
        potencyRead: -22.5,
        lat: -23.4301,
        lng: -51.9402,
        address: 'Rua das Flores, 77 - Zona 01, Maringá - PR, 87013-000',
      },
    });
    // "N/A" leaves the last reading; Offline → ERROR.
    expect(await client('2001')).toMatchObject({ status: 1, property: { potencyRead: -19.5 } });
    for (const code of ['2002', '2003', '2004', '2005']) {
      expect(await client(code)).toMatchObject({ implanted: true, reservationExpiresAt: null });
    }
    expect((await client('2002'))?.name).toBe('Cliente 3');
    const items = (await h.runs.get(run.runId, { outcome: 'updated' })).items;
    expect(items.find((i) => i.itemId === '2000')?.message).toBe(
      'name: "Cliente 1" → "Maria Souza"; potencyRead: -19.5 → -22.5; coordinates: -23.4253,-51.9386 → -23.4301,-51.9402; ' +
        'address: "Avenida Brasil, 100 - Zona 01, Maringá - PR, 87013-000" → "Rua das Flores, 77 - Zona 01, Maringá - PR, 87013-000"',
    );
    expect(items.find((i) => i.itemId === '2001')?.message).toBe('status: 0 → 1');

    // Back online: OK again; a flap is one update each way.
    h.sim.updateContract(2001, { connection: 'online' });
    expect((await h.cycle(['update'])).counts).toMatchObject({ updated: 1, unchanged: 5 });
    expect((await client('2001'))?.status).toBe(0);
  });

  it('cancels every 30 minutes: implanted → off its property, reserved → desistência, port freed', async () => {
    h = await startSgpHarness(provider);
    const [box] = await boxes({ name: 'CTO-C', splitters: [{ ratio: 8, isDrop: true }] });
    h.sim.addContract({ contractId: 3001, name: 'Carlos Dias', cto: 'CTO-C', port: 1 });
    h.sim.addContract({ contractId: 3002, cto: 'CTO-C', port: 2, status: 2 });
    h.sim.addContract({ contractId: 3003, cto: 'CTO-C', port: 3 });
    await h.cycle(['create', 'update']);
    expect(availability(box!.boxId)).toBe(5);
    await h.server.ctx.db.property.update({
      where: { clientId: (await client('3001'))!.id },
      data: { observation: 'Portão azul' },
    });
    h.sim.setStatus(3001, 3);
    h.sim.setStatus(3002, 5, 'Inviabilidade Técnica');

    // The 10-minute cycle leaves cancellations to the 30-minute one.
    expect((await h.cycle(['create', 'update'])).counts).toMatchObject({
      ignored: 2,
      unchanged: 1,
    });
    expect(await client('3001')).not.toBeNull();

    const run = await h.cycle(['cancel']);
    expect(run.counts).toMatchObject({ cancelled: 1, removed: 1 });
    expect(await client('3001')).toBeNull();
    const kept = await h.server.ctx.db.property.findFirstOrThrow({
      where: { boxId: box!.boxId, port: 1 },
    });
    expect(kept).toMatchObject({ clientId: null, splitterId: box!.splitterIds[0] });
    expect(kept.observation).toBe(
      'Portão azul\nCliente removido por cancelamento no SGP em 10/03/2026: Carlos Dias, código 3001',
    );
    expect(await client('3002')).toBeNull();
    expect(await h.server.ctx.db.property.count({ where: { boxId: box!.boxId, port: 2 } })).toBe(0);
    // Port 2 is free again; port 1 still holds the (vacant) property.
    expect(availability(box!.boxId)).toBe(6);
    expect(
      h.server.ctx.viability.check({ ...POINT, radius: 500 }).properties.map((p) => p.id),
    ).toEqual([kept.id]);

    // The first cancellation scan read the whole base; the next reads the days since.
    const first = h.sim.requestsTo('/api/ura/clientes/').filter((r) => r.params.contrato_status);
    expect(first.map((r) => r.params.contrato_status)).toEqual(['3', '5']);
    expect(first.every((r) => r.params.data_contrato_status_inicio === undefined)).toBe(true);
    h.sim.requests.length = 0;
    h.clock.now = new Date('2026-03-10T15:30:00Z');
    const again = await h.cycle(['cancel']);
    expect(again.counts.cancelled ?? 0).toBe(0);
    const windowed = h.sim.requestsTo('/api/ura/clientes/');
    expect(
      windowed.map((r) => [
        r.params.contrato_status,
        r.params.data_contrato_status_inicio,
        r.params.data_contrato_status_fim,
      ]),
    ).toEqual([
      ['3', '2026-03-09', '2026-03-10'],
      ['5', '2026-03-09', '2026-03-10'],
    ]);
    expect((await h.runs.get(again.runId)).meta).toMatchObject({ cancelScan: 'window' });
    // A day later the scan is whole again, catching whatever a window could have missed.
    h.clock.now = new Date('2026-03-11T16:00:00Z');
    h.sim.requests.length = 0;
    await h.cycle(['cancel']);
    expect(
      h.sim.requestsTo('/api/ura/clientes/')[0]?.params.data_contrato_status_inicio,
    ).toBeUndefined();

    // Reactivated at the same port: the new client moves into the property that stayed.
    h.sim.setStatus(3001, 1);
    const back = await h.cycle(['create', 'update']);
    expect(back.counts).toMatchObject({ created: 1 });
    expect(await client('3001')).toMatchObject({ property: { id: kept.id, port: 1 } });
  });

  it('adopts a reservation of the same CPF, moves it to the port SGP names, and the expiry job leaves it', async () => {
    h = await startSgpHarness(provider);
    const [box] = await boxes({ name: 'CTO-R', splitters: [{ ratio: 8, isDrop: true }] });
    const reserve = (code: string, document: string) =>
      h.server.ctx.reservations.reserve({
        clientCode: code,
        client: { name: 'maria', document },
        point: POINT,
        target: { kind: 'box', boxId: box!.boxId },
        reservedBy: 'chatbot:web',
        expiresInDays: 7,
      });
    const chat = await reserve('CHAT-1', '52998224725');
    const other = await reserve('CHAT-2', '11222333000181');
    expect([chat.port, other.port]).toEqual([1, 2]);
    h.sim.addContract({
      contractId: 4001,
      name: 'Maria Souza',
      document: '529.982.247-25',
      status: 6,
      cto: 'CTO-R',
      port: 5,
    });
    h.sim.addContract({
      contractId: 4002,
      document: '11.222.333/0001-81',
      status: 6,
      cto: 'CTO-R',
      port: 1, // held by CHAT-1: CHAT-2 keeps its own port
    });

    const run = await h.cycle(['create', 'update']);
    expect(run.counts).toMatchObject({ adopted: 2, implanted: 2, created: 0 });
    const adopted = await client('4001');
    expect(adopted).toMatchObject({
      id: chat.clientId,
      name: 'Maria Souza',
      implanted: true,
      reservedBy: 'chatbot:web',
      reservationExpiresAt: null,
      property: { id: chat.propertyId, port: 5 },
    });
    expect(JSON.parse(adopted!.reservationMetaJson!)).toMatchObject({
      adoptedBy: 'sgp:erp',
      adoptedFromCode: 'CHAT-1',
    });
    expect(await client('4002')).toMatchObject({ id: other.clientId, property: { port: 2 } });
    expect(await client('CHAT-1')).toBeNull();
    // One client and one port per customer: nothing was created beside the reservations.
    expect(await h.server.ctx.db.ftthClient.count()).toBe(2);
    expect(await h.server.ctx.db.property.count()).toBe(2);
    expect(availability(box!.boxId)).toBe(6);
    const items = (await h.runs.get(run.runId)).items.filter((i) => i.itemId === '4001');
    expect(items.map((i) => i.outcome)).toEqual(['adopted', 'updated', 'implanted', 'note']);
    expect(items[0]?.message).toBe(
      'reservation CHAT-1 (chatbot:web) adopted: its code is now 4001, moved to box "CTO-R" port 5',
    );

    // A month later the expiry job releases nothing: the contract confirmed it.
    const released = await releaseExpiredReservations(
      h.server.ctx.db,
      h.server.ctx.network,
      h.server.ctx.logger,
      new Date('2026-04-15T00:00:00Z'),
    );
    expect(released).toEqual([]);
    expect(await client('4001')).not.toBeNull();
    // And the next cycle finds nothing to do.
    expect((await h.cycle(['create', 'update'])).counts).toMatchObject({ unchanged: 2 });
  });

  it('rests after each page in proportion to its work, and a stop ends the rest and the cycle', async () => {
    h = await startSgpHarness(provider, { pageSize: 2 });
    await boxes({ name: 'CTO-P', splitters: [{ ratio: 16, isDrop: true }] });
    for (let i = 0; i < 5; i++) h.sim.addContract({ cto: 'CTO-P', port: i + 1 });
    const rests: number[] = [];
    const run = await h.cycle(['create'], {
      pacing: { restRatio: 2, rest: async (ms) => void rests.push(ms) },
    });
    expect(run).toMatchObject({ status: 'succeeded', counts: { created: 5, pages: 3 } });
    expect(rests).toHaveLength(3);
    for (const ms of rests) expect(ms).toBeGreaterThan(0);
    // Unpaced: no rest asked for.
    const none: number[] = [];
    await h.cycle(['create'], { pacing: { restRatio: 0, rest: async (ms) => void none.push(ms) } });
    expect(none).toEqual([]);
    // A stop during a rest: the cycle ends there, aborted, with the first page applied.
    for (let i = 5; i < 9; i++) h.sim.addContract({ cto: 'CTO-P', port: i + 1 });
    const stop = new AbortController();
    const stopped = await h.cycle(['create'], {
      signal: stop.signal,
      pacing: {
        restRatio: 1,
        rest: async () => stop.abort(new Error('shutting down')),
      },
    });
    expect(stopped).toMatchObject({ status: 'failed', error: { code: 'aborted' } });
    expect(await h.server.ctx.db.ftthClient.count()).toBeLessThan(9);
  });

  it('fails a cycle SGP cannot finish with its reason, keeps what was applied, and the next one completes', async () => {
    h = await startSgpHarness(provider, { pageSize: 10 });
    await boxes({ name: 'CTO-F', splitters: [{ ratio: 64, isDrop: true }] });
    for (let i = 0; i < 30; i++) h.sim.addContract({ cto: 'CTO-F', port: i + 1 });
    // The second page fails twice: the first try and its one retry.
    h.sim.inject(
      { kind: 'status', status: 503 },
      { path: '/api/ura/clientes/', after: 1, times: 2 },
    );
    const failed = await h.cycle(['create', 'update']);
    expect(failed).toMatchObject({
      status: 'failed',
      error: {
        code: 'sgp_unavailable',
        message: expect.stringMatching(
          /^SGP could not be read: SGP answered 503 to api\/ura\/clientes\//,
        ),
      },
    });
    expect(failed.counts).toMatchObject({ created: 10, pages: 1 });
    const report = await h.runs.get(failed.runId);
    expect(report).toMatchObject({ status: 'failed', errorCode: 'sgp_unavailable' });
    expect(await h.server.ctx.db.ftthClient.count()).toBe(10);

    const next = await h.cycle(['create', 'update']);
    expect(next).toMatchObject({ status: 'succeeded' });
    expect(next.counts).toMatchObject({ created: 20, unchanged: 10, pages: 3 });
    expect(await h.server.ctx.db.ftthClient.count()).toBe(30);
  });

  it('reads through a connection dropped mid-page; fails on wrong credentials and garbage without writing', async () => {
    h = await startSgpHarness(provider, { pageSize: 10 });
    await boxes({ name: 'CTO-G', splitters: [{ ratio: 32, isDrop: true }] });
    for (let i = 0; i < 15; i++) h.sim.addContract({ cto: 'CTO-G', port: i + 1 });

    const realToken = h.sim.token;
    h.sim.token = 'rotated-in-sgp';
    const wrong = await h.cycle(['create', 'update']);
    expect(wrong.error?.code).toBe('sgp_wrong_credentials');
    expect(wrong.error?.message).toMatch(/check TOKEN and APP/);
    h.sim.token = realToken;
    h.sim.blocked = true;
    expect((await h.cycle(['create'])).error?.code).toBe('sgp_token_blocked');
    h.sim.blocked = false;
    h.sim.inject({ kind: 'garbage' }, { path: '/api/ura/clientes/' });
    expect((await h.cycle(['create'])).error?.code).toBe('sgp_garbage');
    h.sim.inject(
      { kind: 'garbage', body: '{"ok":true}', contentType: 'application/json' },
      { path: '/api/fttx/onu/list/' },
    );
    expect((await h.cycle(['create'])).error?.code).toBe('sgp_garbage');
    // A page's ONU look-ups come before its writes: nothing of that page was applied.
    expect(await h.server.ctx.db.ftthClient.count()).toBe(0);

    h.sim.inject({ kind: 'drop' }, { path: '/api/ura/clientes/', after: 1 });
    h.sim.inject({ kind: 'drop' }, { path: '/api/fttx/onu/list/', after: 3 });
    const ok = await h.cycle(['create', 'update']);
    expect(ok).toMatchObject({ status: 'succeeded', counts: { created: 15 } });
    const runs = await h.runs.list({ integration: 'erp' });
    expect(runs.map((r) => [r.status, r.errorCode])).toEqual([
      ['succeeded', null],
      ['failed', 'sgp_garbage'],
      ['failed', 'sgp_garbage'],
      ['failed', 'sgp_token_blocked'],
      ['failed', 'sgp_wrong_credentials'],
    ]);
  });

  it('rolls a contract back whole when its transaction fails half-way, and the next cycle finishes', async () => {
    h = await startSgpHarness(provider);
    const [box] = await boxes({ name: 'CTO-T', splitters: [{ ratio: 8, isDrop: true }] });
    for (let i = 0; i < 4; i++)
      h.sim.addContract({ contractId: 5000 + i, cto: 'CTO-T', port: i + 1 });
    // The database refuses the third contract's property after its client row was written.
    const db = h.server.ctx.db;
    if (provider === 'sqlite') {
      await db.$executeRawUnsafe(
        `CREATE TRIGGER boom BEFORE INSERT ON "Property" WHEN NEW."port" = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
      );
    } else {
      await db.$executeRawUnsafe(
        `CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW."port" = 3 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await db.$executeRawUnsafe(
        `CREATE TRIGGER boom BEFORE INSERT ON "Property" FOR EACH ROW EXECUTE FUNCTION boom()`,
      );
    }
    const failed = await h.cycle(['create', 'update']);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'internal' } });
    expect((await db.ftthClient.findMany({ orderBy: { code: 'asc' } })).map((c) => c.code)).toEqual(
      ['5000', '5001'],
    );
    // No client without its property: contract 5002 left nothing behind.
    expect(await db.property.count({ where: { boxId: box!.boxId } })).toBe(2);
    await db.$executeRawUnsafe(
      provider === 'sqlite' ? 'DROP TRIGGER boom' : 'DROP TRIGGER boom ON "Property"',
    );
    const next = await h.cycle(['create', 'update']);
    expect(next.counts).toMatchObject({ created: 2, unchanged: 2 });
    expect(availability(box!.boxId)).toBe(4);
  });

  it('stops between transactions when aborted, leaving each contract whole', async () => {
    h = await startSgpHarness(provider, { pageSize: 10 });
    await boxes({ name: 'CTO-S', splitters: [{ ratio: 64, isDrop: true }] });
    for (let i = 0; i < 40; i++) h.sim.addContract({ cto: 'CTO-S', port: i + 1 });
    const controller = new AbortController();
    const db = h.server.ctx.db;
    // The server shuts down while the second page's clients are being written (that
    // transaction finishes; nothing after it starts).
    let writes = 0;
    const watch = () => {
      if (++writes === 2) controller.abort(new Error('server shutting down'));
    };
    const watched = db.$extends({
      query: {
        ftthClient: {
          async create({ args, query }) {
            watch();
            return query(args);
          },
          async createMany({ args, query }) {
            watch();
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    const run = await h.cycle(['create', 'update'], { signal: controller.signal, db: watched });
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'aborted', message: expect.stringMatching(/server shutting down/) },
    });
    const clients = await db.ftthClient.findMany({ include: { property: true } });
    expect(clients).toHaveLength(20);
    expect(clients.every((c) => c.property !== null && c.property.port !== null)).toBe(true);
    const next = await h.cycle(['create', 'update']);
    expect(next.counts).toMatchObject({ created: 20, unchanged: 20 });
    expect(await db.property.count()).toBe(40);
  });

  it('plans without writing in a dry run', async () => {
    h = await startSgpHarness(provider);
    await boxes({ name: 'CTO-D' });
    h.sim.addContract({ contractId: 6001, cto: 'CTO-D', port: 2 });
    h.sim.addContract({ contractId: 6002, cto: 'CTO-X', port: 2 });
    const run = await h.cycle(['create', 'update', 'cancel'], { dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', cycle: 'create+update+cancel' });
    expect(run.counts).toMatchObject({ created: 1, skipped: 1 });
    expect(await h.server.ctx.db.ftthClient.count()).toBe(0);
    const report = await h.runs.get(run.runId);
    expect(report).toMatchObject({ dryRun: true });
    expect(report.items.map((i) => i.message)).toEqual([
      'would create at box "CTO-D" port 2',
      'no box named "CTO-X" here',
    ]);
    // A dry run does not count as the last cancellation: the real one still scans the whole base.
    h.sim.requests.length = 0;
    await h.cycle(['cancel']);
    expect(
      h.sim.requestsTo('/api/ura/clientes/')[0]?.params.data_contrato_status_inicio,
    ).toBeUndefined();
  });
});
