// The production Geogrid client against the simulated Geogrid over real HTTPS on loopback: the
// test CA is trusted only through NODE_EXTRA_CA_CERTS (set by the global setup).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GeogridClient } from '../../src/integrations/geogrid/client.js';
import { GeogridError } from '../../src/integrations/geogrid/errors.js';
import { GeogridSimulator } from '../support/geogrid-simulator.js';
import { makeTestTls } from '../support/test-tls.js';

describe('the Geogrid client', () => {
  let sim: GeogridSimulator;
  const clients: GeogridClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim?.close();
  });

  function client(o: Partial<ConstructorParameters<typeof GeogridClient>[0]> = {}): GeogridClient {
    const c = new GeogridClient({
      apiUrl: sim.url,
      token: sim.token,
      retries: 1,
      backoffMs: 1,
      ...o,
    });
    clients.push(c);
    return c;
  }

  async function failure(p: Promise<unknown>): Promise<GeogridError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GeogridError);
    return err as GeogridError;
  }

  it('refuses anything but https://, with no way around it', async () => {
    sim = await GeogridSimulator.start();
    for (const url of ['http://eros.geogridmaps.com.br/x/api/v3', 'ftp://x/y']) {
      expect(() => new GeogridClient({ apiUrl: url, token: 't' })).toThrow(
        /must start with https:\/\//,
      );
    }
    expect(() => new GeogridClient({ apiUrl: 'not a url', token: 't' })).toThrow(/not a URL/);
  });

  it('sends the api-key header, reads every page of up to 500 and accepts the panel URL', async () => {
    sim = await GeogridSimulator.start();
    for (let i = 0; i < 1203; i++)
      sim.addItem({ type: i % 3 === 0 ? 'poste' : 'terminal', splitters: [] });
    sim.addItem({ type: 'terminal', planned: true, splitters: [] });
    const c = client({ apiUrl: `${sim.origin}/${sim.account}/` });
    const pages = [];
    for await (const p of c.itemPages(['terminal', 'poste'], false)) pages.push(p);
    expect(pages.map((p) => p.records.length)).toEqual([500, 500, 203]);
    expect(pages[0]!.total).toBe(1203);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id))).size).toBe(1203);
    const reqs = sim.requestsTo('itensRede');
    expect(reqs.map((r) => r.query)).toEqual(
      [1, 2, 3].map((n) => ({
        item: 'terminal,poste',
        modoProjeto: 'N',
        pagina: String(n),
        registrosPorPagina: '500',
      })),
    );
    expect(reqs.every((r) => r.apiKey === sim.token)).toBe(true);
    const planned = [];
    for await (const p of c.itemPages(['terminal'], true)) planned.push(...p.records);
    expect(planned).toHaveLength(1);
    expect(planned[0]?.planned).toBe(true);
  });

  it('reads ports, summaries, clients and writes a client and its port', async () => {
    sim = await GeogridSimulator.start();
    const ana = sim.addClient({ nome: 'Ana', cpfCnpj: '12345678909' });
    const box = sim.addItem({
      splitters: [
        { ports: 4, clients: { 2: ana.id }, reserved: [3] },
        { ports: 2, service: false },
      ],
    });
    const c = client();
    const service = await c.itemEquipment(String(box.id), { distribution: false });
    expect(service).toHaveLength(1);
    expect(service[0]).toMatchObject({ service: true, inputs: 1 });
    expect(service[0]!.outputs.map((p) => [p.number, p.client?.name ?? null, p.reserved])).toEqual([
      [1, null, false],
      [2, 'Ana', false],
      [3, null, true],
      [4, null, false],
    ]);
    expect(
      (await c.itemEquipment(String(box.id), { distribution: true })).map((e) => e.service),
    ).toEqual([true, false]);
    const summary = await c.portSummaries([String(box.id), '999999'], true);
    expect([...summary]).toEqual([
      [String(box.id), [{ outputs: 4, inputs: 1, free: 2, taken: 1, reserved: 1 }]],
    ]);
    expect(sim.requestsTo('equipamentos/itemRede/portas').at(-1)?.query).toEqual({
      itensRede: `${box.id},999999`,
      atendimento: 'S',
    });
    const all = [];
    for await (const p of c.clientPages()) all.push(...p.records);
    expect(all).toEqual([
      { id: String(ana.id), name: 'Ana', document: '12345678909', ourId: null },
    ]);
    expect(await c.clientById('424242')).toBeNull();
    const id = await c.createClient({ dados: { nome: 'Bia', observacao: 'c'.repeat(24) } });
    expect(sim.client(Number(id))?.observacao).toBe('c'.repeat(24));
    const port1 = sim.port(box.id, 1);
    await c.attach({
      idPorta: port1.id,
      idCliente: Number(id),
      local: { latitude: '-23.4253', longitude: '-51.9386' },
    });
    expect(sim.port(box.id, 1).clientId).toBe(Number(id));
    expect(sim.attached).toEqual([{ portId: port1.id, clientId: Number(id), drawnDrop: false }]);
    const taken = await failure(
      c.attach({ idPorta: sim.port(box.id, 2).id, idCliente: Number(id) }),
    );
    expect(taken).toMatchObject({
      code: 'geogrid_conflict',
      fields: { portaOcupada: 'A porta já está ocupada' },
    });
    const reserved = await failure(
      c.attach({ idPorta: sim.port(box.id, 3).id, idCliente: Number(id) }),
    );
    expect(reserved).toMatchObject({
      code: 'geogrid_rejected',
      fields: { portaReservada: 'A porta está reservada' },
    });
    const bad = await failure(
      c.createClient({ dados: { nome: 'Caio', cpfCnpj: '123.456.789-09x1' } }),
    );
    expect(bad.message).toMatch(/cpfCnpj: CPF\/CNPJ inválido/);
  });

  it('waits out 429s until the next minute, honouring Retry-After, and gives up after too many', async () => {
    sim = await GeogridSimulator.start();
    for (let i = 0; i < 3; i++) sim.addItem({ splitters: [] });
    let clock = Date.parse('2026-03-10T07:00:10Z');
    sim.now = () => clock;
    sim.perMinute = 1;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock += ms;
    };
    const c = client({ pageSize: 1, sleep, now: () => clock, random: () => 0 });
    const ids = [];
    for await (const p of c.itemPages(['terminal'], false)) ids.push(...p.records.map((r) => r.id));
    expect(ids).toHaveLength(3);
    expect(waits).toEqual([50_000, 60_000]);
    sim.retryAfter = false;
    clock = Date.parse('2026-03-10T07:10:30Z');
    waits.length = 0;
    await c.itemsByIds(['1']);
    await c.itemsByIds(['1']);
    expect(waits).toEqual([30_000]);
    sim.perMinute = 0;
    const err = await failure(
      client({ sleep, now: () => clock, maxRateLimitWaits: 3 }).itemsByIds(['1']),
    );
    expect(err.code).toBe('geogrid_rate_limited');
    expect(err.message).toMatch(/429.*after 3 waits/);
  });

  it('paces itself with requestsPerMinute', async () => {
    sim = await GeogridSimulator.start();
    let clock = Date.parse('2026-03-10T07:00:00Z');
    const waits: number[] = [];
    const c = client({
      requestsPerMinute: 2,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    for (let i = 0; i < 5; i++) {
      await c.itemsByIds(['1']);
      clock += 1_000;
    }
    expect(waits).toEqual([58_000, 58_000]);
  });

  it('says what is wrong: token, URL, garbage, 5xx retried, dropped connections, timeouts', async () => {
    sim = await GeogridSimulator.start();
    const wrong = await failure(client({ token: 'nope' }).itemsByIds(['1']));
    expect(wrong.code).toBe('geogrid_wrong_token');
    expect(wrong.message).not.toContain('nope');
    const lost = await failure(
      client({ apiUrl: `${sim.origin}/outra-conta/api/v3` }).itemsByIds(['1']),
    );
    expect(lost.code).toBe('geogrid_not_found');
    sim.inject({ kind: 'garbage' });
    expect((await failure(client().itemsByIds(['1']))).code).toBe('geogrid_garbage');
    sim.inject({ kind: 'status', status: 503 });
    expect(await client().itemsByIds(['1'])).toEqual([]);
    sim.inject({ kind: 'status', status: 502 }, { times: 2 });
    const down = await failure(client().itemsByIds(['1']));
    expect(down).toMatchObject({ code: 'geogrid_unavailable', retryable: true });
    sim.inject({ kind: 'drop' }, { times: 2 });
    expect((await failure(client().itemsByIds(['1']))).message).toMatch(/dropped the connection/);
    sim.inject({ kind: 'slow', delayMs: 400 }, { times: 2 });
    expect((await failure(client({ timeoutMs: 100 }).itemsByIds(['1']))).code).toBe(
      'geogrid_timeout',
    );
  });

  it('refuses a certificate it does not trust, with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-other-ca-'));
    try {
      sim = await GeogridSimulator.start({ tls: makeTestTls(dir, 'Some other CA') });
      const err = await failure(client().itemsByIds(['1']));
      expect(err.code).toBe('geogrid_tls');
      expect(err.message).toMatch(/certificate of 127\.0\.0\.1:\d+ is not trusted/);
      expect(sim.requests).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
