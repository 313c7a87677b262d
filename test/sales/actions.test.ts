/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// The sales team's lists and actions over HTTP: search and filters, CSV of what the filter shows,
// confirm / release / extend / move / note with their audit trail, and two agents acting on the
// same reservation at once (the second gets 409 and the reservation as it is now).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { api, type Json } from '../support/server.js';
import {
  boxNearHome,
  reserveThroughApi,
  startSalesServer,
  type SalesServer,
  type Session,
} from './harness.js';

const DAY = 86_400_000;

describe.each(testProviders())('workspace lists and actions on %s', (provider) => {
  let server: SalesServer;
  let bruno: Session;
  let carla: Session;
  let near: { boxId: string };
  let other: { boxId: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startSalesServer(provider);
    near = await boxNearHome(server, 'CTO-PERTO', 30, 4);
    other = await boxNearHome(server, 'CTO-OUTRA', 120, 4);
    const people: Array<[string, string, string, string]> = [
      ['R-1', 'Maria Aparecida Souza', '5544999991111', '52998224725'],
      ['R-2', 'João Pedro Lima', '5544999992222', '11144477735'],
      ['R-3', 'Rita de Cássia Alves', '5544999993333', '39053344705'],
    ];
    for (const [code, name, phone, document] of people) {
      await reserveThroughApi(server, { code, name, phone, document });
      ids[code] = (await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code } })).id;
      server.clock.advance(60_000);
    }
    await server.sales.settle();
    bruno = await server.login('bruno');
    carla = await server.login('carla');
  });
  afterAll(async () => server?.close());

  const list = (q: string) => server.call(bruno, 'GET', `/sales/api/reservations${q}`);
  const detail = async (id: string) =>
    (await server.call(bruno, 'GET', `/sales/api/reservations/${id}`)).body;

  it('searches by name, phone, CPF and code; filters, sorts and pages', async () => {
    const codes = async (q: string) => (await list(q)).body.rows.map((r: Json) => r.code);
    expect(await codes('')).toEqual(['R-3', 'R-2', 'R-1']);
    expect(await codes('?q=aparecida')).toEqual(['R-1']);
    expect(await codes('?q=(44) 99999-2222')).toEqual(['R-2']);
    expect(await codes('?q=390.533.447-05')).toEqual(['R-3']);
    expect(await codes('?q=R-2')).toEqual(['R-2']);
    expect(await codes('?sort=name')).toEqual(['R-2', 'R-1', 'R-3']);
    expect(await codes('?by=generic')).toEqual(['R-3', 'R-2', 'R-1']);
    expect(await codes('?by=conecteai')).toEqual([]);
    expect(await codes('?from=2026-12-01&to=2026-12-01')).toHaveLength(3);
    expect(await codes('?from=2026-12-02')).toEqual([]);
    const page = await list('?pageSize=2&page=2');
    expect(page.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page.body.rows.map((r: Json) => r.code)).toEqual(['R-1']);
    expect(await list('?status=bogus')).toMatchObject({ status: 400, body: { field: 'status' } });
    expect(await list('?from=ontem')).toMatchObject({ status: 400, body: { field: 'from' } });
  });

  it('exports what the filter shows as CSV (semicolons, UTF-8 with BOM)', async () => {
    const res = await server.call(bruno, 'GET', '/sales/api/reservations.csv?q=lima');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="reservas-2026-12-01.csv"',
    );
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Código;Nome;Telefone;CPF;E-mail;Origem;Situação;Criada em;Expira em;Liberada em;Caixa;Splitter;Porta;Endereço;Etiquetas',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^R-2;João Pedro Lima;5544999992222;11144477735;cliente@example.com;generic;Ativa;01\/12\/2026, \d\d:\d\d;;;CTO-PERTO;S1;2;Rua das Flores, 100 - Zona 07, Maringá - PR;$/,
    );
    // fetch's text() drops the BOM; the bytes keep it (Excel needs it to read UTF-8).
    const raw = await fetch(`${server.url}/sales/api/reservations.csv?q=lima`, {
      headers: { cookie: bruno.cookie },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('confirm and release race: the second agent gets 409, who did it, and the fresh state', async () => {
    const seen = await detail(ids['R-1']!);
    const version = seen.reservation.version;
    const confirm = await server.call(
      bruno,
      'POST',
      `/sales/api/reservations/${ids['R-1']}/confirm`,
      { version },
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.reservation).toMatchObject({ status: 'confirmed', expiresAt: null });
    const release = await server.call(
      carla,
      'POST',
      `/sales/api/reservations/${ids['R-1']}/release`,
      { version },
    );
    expect(release.status).toBe(409);
    expect(release.body.message).toBe('Esta reserva já foi confirmada por bruno.');
    expect(release.body.current.reservation).toMatchObject({ code: 'R-1', status: 'confirmed' });
    // Nothing was released: the client and its port are still there.
    const client = await server.ctx.db.ftthClient.findUniqueOrThrow({
      where: { id: ids['R-1'] },
      include: { property: true },
    });
    expect(client).toMatchObject({ implanted: true, property: { boxId: near.boxId, port: 1 } });
    expect(confirm.body.history[0]).toMatchObject({
      action: 'reservation.confirm',
      actor: { name: 'bruno' },
    });
  });

  it('release frees the port; a second release of the same reservation is a 409', async () => {
    const { reservation } = await detail(ids['R-2']!);
    const released = await server.call(
      carla,
      'POST',
      `/sales/api/reservations/${ids['R-2']}/release`,
      { version: reservation.version },
    );
    expect(released.status).toBe(200);
    expect(released.body.reservation).toMatchObject({
      status: 'released',
      name: 'João Pedro Lima',
      port: 2,
    });
    expect(await server.ctx.db.property.count({ where: { boxId: near.boxId, port: 2 } })).toBe(0);
    // The port is offered again by viability.
    const v = await api(server, 'GET', `/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386`);
    expect(v.body.boxes.find((b: Json) => b.name === 'CTO-PERTO').availability).toBe(2);
    const again = await server.call(
      bruno,
      'POST',
      `/sales/api/reservations/${ids['R-2']}/release`,
      { version: reservation.version },
    );
    expect(again).toMatchObject({
      status: 409,
      body: { message: 'Esta reserva já foi liberada: a porta está livre.' },
    });
    expect((await list('?status=released')).body.rows.map((r: Json) => r.code)).toEqual(['R-2']);
    expect(
      await server.call(bruno, 'POST', `/sales/api/reservations/${ids['R-3']}/release`, {}),
    ).toMatchObject({ status: 400, body: { field: 'version' } });
  });

  it('extends the expiry, moves to another box, notes; each step audited; stale versions refused', async () => {
    const id = ids['R-3']!;
    let d = await detail(id);
    const before = new Date(d.reservation.expiresAt ?? server.clock.now).getTime();
    const extended = await server.call(bruno, 'POST', `/sales/api/reservations/${id}/extend`, {
      version: d.reservation.version,
      days: 7,
    });
    expect(extended.status).toBe(200);
    const after = new Date(extended.body.reservation.expiresAt).getTime();
    expect(after).toBe(Math.max(before, server.clock.now.getTime()) + 7 * DAY);
    // The version from before the extension is stale now.
    const stale = await server.call(carla, 'POST', `/sales/api/reservations/${id}/move`, {
      version: d.reservation.version,
      boxId: other.boxId,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/A reserva mudou enquanto você a via/);
    d = extended.body;
    const options = await server.call(carla, 'GET', `/sales/api/reservations/${id}/move-options`);
    expect(options.body.boxes.map((b: Json) => b.name)).toContain('CTO-OUTRA');
    const moved = await server.call(carla, 'POST', `/sales/api/reservations/${id}/move`, {
      version: d.reservation.version,
      boxId: other.boxId,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.reservation).toMatchObject({ box: { name: 'CTO-OUTRA' }, port: 1 });
    expect(await server.ctx.db.property.count({ where: { boxId: near.boxId, port: 3 } })).toBe(0);
    const full = await server.call(carla, 'POST', `/sales/api/reservations/${id}/move`, {
      version: moved.body.reservation.version,
      splitterId: (await server.ctx.db.splitter.findFirstOrThrow({ where: { boxId: near.boxId } }))
        .id,
      port: 1,
    });
    expect(full.status).toBe(409);
    expect(full.body.message).toBe(
      'Não há porta livre nesse destino; escolha outra caixa ou porta.',
    );
    const note = await server.call(carla, 'POST', `/sales/api/reservations/${id}/notes`, {
      text: 'Ligar depois das 18h.',
    });
    expect(note.status).toBe(201);
    expect(
      (await server.call(carla, 'POST', `/sales/api/reservations/${id}/notes`, { text: '  ' }))
        .body,
    ).toMatchObject({ field: 'text' });
    const last = await detail(id);
    expect(last.notes[0]).toMatchObject({ author: 'carla', text: 'Ligar depois das 18h.' });
    expect(last.history.map((h: Json) => [h.action, h.actor.name])).toEqual([
      ['reservation.note', 'carla'],
      ['reservation.move', 'carla'],
      ['reservation.extend', 'bruno'],
    ]);
    expect(last.history[1].detail).toEqual({
      from: { box: 'CTO-PERTO', port: 3 },
      to: { box: 'CTO-OUTRA', splitter: 'S1', port: 1 },
    });
  });

  it('prospects: mark contacted then won; a stale status change is refused with who changed it', async () => {
    const p = await api(server, 'POST', '/api/v2/prospects', {
      name: 'Lia Campos',
      phone: '5544988887777',
    });
    await server.sales.watch.sweep();
    const id = p.body.id;
    const first = await server.call(bruno, 'POST', `/sales/api/prospects/${id}/status`, {
      version: 'new',
      status: 'contacted',
    });
    expect(first.status).toBe(200);
    expect(first.body.prospect).toMatchObject({ status: 'contacted', statusBy: 'bruno' });
    const stale = await server.call(carla, 'POST', `/sales/api/prospects/${id}/status`, {
      version: 'new',
      status: 'lost',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/atualizado por bruno/);
    const won = await server.call(carla, 'POST', `/sales/api/prospects/${id}/status`, {
      version: first.body.prospect.version,
      status: 'won',
    });
    expect(won.body.prospect.status).toBe('won');
    expect(
      (await server.call(carla, 'GET', '/sales/api/prospects?status=won')).body.rows.map(
        (r: Json) => r.name,
      ),
    ).toEqual(['Lia Campos']);
    expect((await server.call(carla, 'GET', '/sales/api/prospects?status=new')).body.rows).toEqual(
      [],
    );
    const csv = await server.call(carla, 'GET', '/sales/api/prospects.csv?status=won');
    expect(csv.text).toContain('Lia Campos;5544988887777;;;generic;Ganho;');
  });

  it('"Hoje" counts today\'s reservations, prospects, waiting customers and what expires soon', async () => {
    const t = await server.call(bruno, 'GET', '/sales/api/today');
    expect(t.status).toBe(200);
    expect(t.body.counts).toMatchObject({ reservations: 2, prospects: 1, waiting: 0 });
    expect(t.body.reservations.map((r: Json) => r.code)).toEqual(['R-3', 'R-1']);
  });
});
