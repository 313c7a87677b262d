/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
// OZloc over real HTTP: the whole server (startTestServer) on both databases, the page built by
// `vite build`, the production Nominatim client against the simulated geocoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_HEADER } from '../../src/integrations/ispbox/ozloc-routes.js';
import { releaseExpiredReservations } from '../../src/jobs/reservation-expiry.js';
import { createApiKey, revokeApiKey } from '../../src/ozmap-model/api-keys.js';
import { newId } from '../../src/ids.js';
import { buildWebInto } from '../support/build-web.js';
import { testProviders } from '../support/db.js';
import { startFakeGeocoder, type FakeGeocoder } from '../support/fake-geocoder.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';
import {
  configOf,
  HOME,
  ISPBOX_RADIUS,
  ozlocUrl,
  seedIspbox,
  type IspboxNetwork,
} from './ozloc-fixture.js';

const DAY = 86_400_000;

/** A copy of `params` without `keys` (a parameter Ispbox left out). */
function without(params: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !keys.includes(k)));
}
const START = new Date('2026-11-23T13:00:00Z');

let dist: string;
let geocoder: FakeGeocoder;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'ozloc-web-'));
  await buildWebInto(dist);
  geocoder = await startFakeGeocoder();
});
afterAll(async () => {
  await geocoder?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe.each(testProviders())('OZloc for Ispbox 2 on %s', (provider) => {
  let server: TestServer;
  let net: IspboxNetwork;
  let clock = START;

  beforeAll(async () => {
    server = await startTestServer(
      provider,
      { GEOCODER_URL: geocoder.url, GEOCODER_MIN_INTERVAL_MS: '0' },
      { now: () => clock, webDist: dist },
    );
    net = await seedIspbox(server);
  });
  afterAll(async () => server?.close());

  const client = (extra: Record<string, string> = {}) => ({
    lat: String(HOME.lat),
    lng: String(HOME.lng),
    cod_cli: 'ISP-1',
    client_name: 'Maria Aparecida Souza',
    address: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR',
    authorization: net.key,
    ...extra,
  });
  const open = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(ozlocUrl(server.url, params), { headers });
  /** Opens the page and returns the session it was served with. */
  const session = async (params: Record<string, string>) => {
    const res = await open(params);
    expect(res.status).toBe(200);
    return configOf(await res.text()).session;
  };
  const boxes = (token: string) => call('GET', '/ozloc/api/boxes', token);
  const reserve = (token: string, boxId: string) =>
    call('POST', '/ozloc/api/reserve', token, { boxId });
  async function call(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        [SESSION_HEADER]: token,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json: Json = await res.json();
    return { status: res.status, body: json };
  }

  describe('opening the page', () => {
    it('serves the page centred on the point, with the client data and a session, never the key', async () => {
      const res = await open(client());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).not.toContain(net.key);
      expect(html).toContain('/ozloc/assets/');
      const config = configOf(html);
      expect(config).toMatchObject({
        point: HOME,
        radius: ISPBOX_RADIUS,
        client: {
          code: 'ISP-1',
          name: 'Maria Aparecida Souza',
          address: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR',
        },
        tiles: {
          street: { url: server.ctx.config.map.tileUrl },
          satellite: { url: server.ctx.config.map.satelliteTileUrl },
        },
      });
      expect(config.geocoded).toBeUndefined();
      // The session is sealed: neither the key nor the client's name can be read from it.
      expect(config.session).not.toContain(net.key);
      expect(
        Buffer.from(config.session.split('.')[0]!, 'base64url').toString('latin1'),
      ).not.toMatch(/Maria|ISP-1/);
      expect(new Date(config.expiresAt).getTime()).toBe(START.getTime() + 30 * 60_000);
    });

    it('takes the key from the Authorization header too, and a decimal comma in coordinates', async () => {
      const rest = without(client(), 'authorization');
      const res = await open(
        { ...rest, lat: '-23,4254', lng: '-51,9375' },
        { authorization: `Bearer ${net.key}` },
      );
      expect(res.status).toBe(200);
      expect(configOf(await res.text()).point).toEqual(HOME);
    });

    it('geocodes an address when there are no coordinates, and centres on what it found', async () => {
      const rest = without(client(), 'lat', 'lng');
      const res = await open({ ...rest, address: 'Avenida Brasil 1500 Maringá' });
      expect(res.status).toBe(200);
      const config = configOf(await res.text());
      expect(config.point).toEqual({ lat: -23.4254, lng: -51.9375 });
      expect(config.geocoded?.label).toBe(
        'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000',
      );
      expect(config.client.address).toBe('Avenida Brasil 1500 Maringá');
      const search = geocoder.requests.findLast((r) => r.path === '/search');
      expect(search?.params.get('q')).toBe('Avenida Brasil 1500 Maringá');
      expect(search?.params.get('countrycodes')).toBe('br');
    });

    it('401 in pt-BR without a key, with a wrong key and with a revoked key', async () => {
      const noKey = without(client(), 'authorization');
      const missing = await open(noKey);
      expect(missing.status).toBe(401);
      const page = await missing.text();
      expect(page).toContain('<html lang="pt-BR">');
      expect(page).toContain('O Ispbox 2 não enviou a chave de API');

      const wrong = await open(client({ authorization: 'alc_not-a-real-key' }));
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('é inválida ou foi revogada');

      const { key, record } = await createApiKey(server.ctx.db, 'Ispbox antigo', 'ispbox');
      await revokeApiKey(server.ctx.db, record.id);
      const revoked = await open(client({ authorization: key }));
      expect(revoked.status).toBe(401);

      // An API caller (Accept: application/json) gets {message}.
      const json = await open(client({ authorization: 'alc_nope' }), {
        accept: 'application/json',
      });
      expect(json.status).toBe(401);
      expect(await json.json()).toEqual({
        message: expect.stringContaining('A chave de API enviada pelo Ispbox 2 é inválida'),
      });
    });

    it('403 when the key’s integration may not reserve', async () => {
      await server.ctx.integrations.create({
        name: 'ispbox-consulta',
        kind: 'ispbox',
        mayReserve: false,
      });
      const { key } = await createApiKey(server.ctx.db, 'Ispbox consulta', 'ispbox-consulta');
      const res = await open(client({ authorization: key }));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(
        'A integração “ispbox-consulta” não tem permissão para reservar portas.',
      );
    });

    it('422 with a clear message when the geocoder cannot find the address', async () => {
      const rest = without(client(), 'lat', 'lng');
      const params = { ...rest, address: 'Rua Que Não Existe, 999 - Atlântida' };
      const page = await open(params);
      expect(page.status).toBe(422);
      const html = await page.text();
      expect(html).toContain('Endereço não encontrado');
      expect(html).toContain('Não encontramos o endereço “Rua Que Não Existe, 999 - Atlântida”.');
      const json = await open(params, { accept: 'application/json' });
      expect(json.status).toBe(422);
      expect((await json.json()).message).toMatch(
        /^Não encontramos o endereço “Rua Que Não Existe, 999 - Atlântida”\. Confira rua, número/,
      );
    });

    it('400 for missing client code, bad or missing coordinates; 422 outside Brazil', async () => {
      const cases: Array<[Record<string, string>, number, string]> = [
        [client({ cod_cli: '' }), 400, 'Falta o código do cliente (cod_cli).'],
        [client({ lat: 'abc' }), 400, 'Latitude e longitude devem ser números'],
        [client({ lat: '123' }), 400, 'Latitude e longitude devem ser números'],
        [
          without(client(), 'lat', 'lng', 'address'),
          400,
          'Informe as coordenadas (lat e lng) ou o endereço do cliente.',
        ],
        [client({ lat: String(HOME.lng), lng: String(HOME.lat) }), 422, 'fora do Brasil'],
        [client({ cod_cli: 'X'.repeat(101) }), 400, 'O campo cod_cli passa de 100 caracteres.'],
      ];
      for (const [params, status, text] of cases) {
        const res = await open(params, { accept: 'application/json' });
        expect(res.status, text).toBe(status);
        expect((await res.json()).message).toContain(text);
      }
    });
  });

  describe('boxes and reservation', () => {
    it('lists the viable boxes within the Ispbox radius, nearest first, with free ports', async () => {
      const token = await session(client({ cod_cli: 'ISP-LIST' }));
      const { status, body } = await boxes(token);
      expect(status).toBe(200);
      expect(body.radius).toBe(ISPBOX_RADIUS);
      expect(body.message).toBeUndefined();
      expect((body.boxes as Json[]).map((b: Json) => [b.id, b.name, b.freePorts])).toEqual([
        [net.boxes.a, 'CTO-A', 6],
        [net.boxes.one, 'CTO-UMA', 1],
        [net.boxes.b, 'CTO-B', 4],
      ]);
      expect((body.boxes as Json[]).map((b: Json) => Math.round(b.distance))).toEqual([
        40, 100, 150,
      ]);
      expect(body.boxes[0]).toEqual({
        id: net.boxes.a,
        name: 'CTO-A',
        distance: expect.any(Number),
        freePorts: 6,
        lat: expect.any(Number),
        lng: expect.any(Number),
      });
    });

    it('says so when no box is viable', async () => {
      const token = await session(client({ cod_cli: 'ISP-NADA', lat: '-23.44', lng: '-51.90' }));
      const { status, body } = await boxes(token);
      expect(status).toBe(200);
      expect(body.boxes).toEqual([]);
      expect(body.message).toBe(
        'Nenhuma caixa com porta livre em até 200 m deste ponto. Não há viabilidade para este cliente agora.',
      );
    });

    it('reserves in the chosen box: Ispbox reads box, splitter and port back, client not implanted, 30 days', async () => {
      const token = await session(client());
      const res = await reserve(token, net.boxes.a);
      expect(res.status).toBe(201);
      const splitter = await server.ctx.db.splitter.findFirstOrThrow({
        where: { boxId: net.boxes.a },
      });
      expect(res.body).toEqual({
        created: true,
        clientCode: 'ISP-1',
        boxId: net.boxes.a,
        boxName: 'CTO-A',
        splitterId: splitter.id,
        splitterName: 'S1',
        port: 3,
        expiresAt: new Date(START.getTime() + 30 * DAY).toISOString(),
        message: 'Reserva criada: Caixa CTO-A, Splitter S1, Porta 3',
      });

      // What Ispbox 2 does next: GET /api/v2/properties/client/:code with its key.
      const read = await api(
        { url: server.url, apiKey: net.key },
        'GET',
        '/api/v2/properties/client/ISP-1',
      );
      expect(read.status).toBe(200);
      expect(read.body).toHaveLength(1);
      const property = read.body[0];
      expect(property).toMatchObject({
        coords: [HOME.lng, HOME.lat],
        box: net.boxes.a,
        address: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR',
        connections: [{ id: splitter.id, name: 'S1', kind: 'Splitter', port: 3 }],
        client: {
          code: 'ISP-1',
          name: 'Maria Aparecida Souza',
          implanted: false,
          reservationExpiresAt: new Date(START.getTime() + 30 * DAY).toISOString(),
        },
      });
      const stored = await server.ctx.db.property.findFirstOrThrow({
        where: { client: { code: 'ISP-1' } },
        include: { client: true },
      });
      expect({ lat: stored.lat, lng: stored.lng }).toEqual(HOME);
      expect(stored.client?.reservedBy).toBe('ispbox');

      // The list sees the taken port at once.
      const after = await boxes(token);
      expect(after.body.boxes[0]).toMatchObject({ name: 'CTO-A', freePorts: 5 });
    });

    it('the same cod_cli again returns the existing reservation (idempotent)', async () => {
      const token = await session(client());
      const again = await reserve(token, net.boxes.b);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        created: false,
        boxName: 'CTO-A',
        port: 3,
        message: 'Este cliente já tinha uma reserva: Caixa CTO-A, Splitter S1, Porta 3',
      });
      expect(await server.ctx.db.ftthClient.count({ where: { code: 'ISP-1' } })).toBe(1);
    });

    it('409 when the box filled up meanwhile (seen by the index, or only by the database)', async () => {
      const token = await session(client({ cod_cli: 'ISP-2' }));
      const listed = await boxes(token);
      expect((listed.body.boxes as Json[]).map((b: Json) => b.name)).toContain('CTO-UMA');
      // Another sale takes the last port of CTO-UMA through the service.
      await server.ctx.reservations.reserve({
        clientCode: 'OUTRA-VENDA',
        client: { name: 'Outro cliente' },
        target: { kind: 'box', boxId: net.boxes.one },
        reservedBy: 'conecteai',
        expiresInDays: 7,
      });
      const late = await reserve(token, net.boxes.one);
      expect(late.status).toBe(409);
      expect(late.body.message).toBe(
        'Esta caixa ficou sem portas livres enquanto você escolhia. A lista foi atualizada: escolha outra caixa.',
      );
      const refreshed = await boxes(token);
      expect((refreshed.body.boxes as Json[]).map((b: Json) => b.name)).toEqual(['CTO-A', 'CTO-B']);

      // Another instance fills CTO-B behind this one's index: the transaction still refuses.
      const b = await server.ctx.db.splitter.findFirstOrThrow({ where: { boxId: net.boxes.b } });
      const project = await server.ctx.db.project.findFirstOrThrow();
      for (const port of [1, 2, 3, 4]) {
        await server.ctx.db.property.create({
          data: { id: newId(), projectId: project.id, boxId: net.boxes.b, splitterId: b.id, port },
        });
      }
      const raced = await reserve(token, net.boxes.b);
      expect(raced.status).toBe(409);
      expect(raced.body.message).toContain('ficou sem portas livres');
      expect(await server.ctx.db.ftthClient.count({ where: { code: 'ISP-2' } })).toBe(0);
      await server.ctx.db.property.deleteMany({ where: { splitterId: b.id } });
      await server.ctx.network.boxesChanged([net.boxes.b]);
    });

    it('refuses boxes that are not in the list: full, draft, outside the radius, unknown', async () => {
      const token = await session(client({ cod_cli: 'ISP-3' }));
      const cases: Array<[string, number, string]> = [
        [net.boxes.full, 409, 'ficou sem portas livres'],
        [net.boxes.draft, 409, 'não pode receber clientes agora'],
        [net.boxes.far, 422, 'fora do raio de atendimento'],
        [newId(), 422, 'fora do raio de atendimento'],
      ];
      for (const [boxId, status, text] of cases) {
        const res = await reserve(token, boxId);
        expect(res.status, text).toBe(status);
        expect(res.body.message).toContain(text);
      }
      const bad = await call('POST', '/ozloc/api/reserve', token, { box: 'x' });
      expect(bad).toEqual({ status: 400, body: { message: 'Escolha uma caixa da lista.' } });
      expect(await server.ctx.db.ftthClient.count({ where: { code: 'ISP-3' } })).toBe(0);
    });

    it('401 for a missing, tampered or expired session, and once the key is revoked', async () => {
      const token = await session(client({ cod_cli: 'ISP-4' }));
      expect((await boxes('')).status).toBe(401);
      const [sealed, mac] = token.split('.') as [string, string];
      const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}.${mac}`;
      const tampered = await boxes(flipped);
      expect(tampered).toEqual({
        status: 401,
        body: { message: 'Sessão inválida. Abra o OZmap de novo pelo Ispbox 2.' },
      });
      expect((await reserve(flipped, net.boxes.a)).status).toBe(401);

      clock = new Date(START.getTime() + 31 * 60_000);
      try {
        const expired = await reserve(token, net.boxes.a);
        expect(expired).toEqual({
          status: 401,
          body: { message: 'Esta sessão expirou. Abra o OZmap de novo pelo Ispbox 2.' },
        });
      } finally {
        clock = START;
      }
      expect(await server.ctx.db.ftthClient.count({ where: { code: 'ISP-4' } })).toBe(0);

      const { key, record } = await createApiKey(server.ctx.db, 'Ispbox 2', 'ispbox');
      const live = await session(client({ cod_cli: 'ISP-5', authorization: key }));
      expect((await boxes(live)).status).toBe(200);
      await revokeApiKey(server.ctx.db, record.id);
      expect(await reserve(live, net.boxes.a)).toEqual({
        status: 401,
        body: { message: 'A chave de API desta sessão foi revogada. Fale com o administrador.' },
      });
    });

    it('an unused reservation is released after 30 days, and its port is free again', async () => {
      const release = (at: Date) =>
        releaseExpiredReservations(server.ctx.db, server.ctx.network, server.ctx.logger, at);
      const before = await release(new Date(START.getTime() + 30 * DAY - 60_000));
      expect(before.map((r) => r.clientCode)).not.toContain('ISP-1');

      const released = await release(new Date(START.getTime() + 30 * DAY + 1000));
      expect(released.map((r) => r.clientCode)).toContain('ISP-1');
      const read = await api(
        { url: server.url, apiKey: net.key },
        'GET',
        '/api/v2/properties/client/ISP-1',
      );
      expect(read.status).toBe(404);
      const token = await session(client({ cod_cli: 'ISP-6' }));
      expect((await boxes(token)).body.boxes[0]).toMatchObject({ name: 'CTO-A', freePorts: 6 });
    });
  });
});

describe('OZloc without a geocoder', () => {
  it('422: the address cannot be looked up, say to send coordinates', async () => {
    const server = await startTestServer('sqlite', {}, { webDist: dist });
    try {
      const net = await seedIspbox(server);
      const res = await fetch(
        ozlocUrl(server.url, {
          address: 'Avenida Brasil 1500 Maringá',
          cod_cli: 'ISP-9',
          authorization: net.key,
        }),
      );
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain(
        'Não encontramos o endereço “Avenida Brasil 1500 Maringá”: a busca de endereços não está ativada neste servidor.',
      );
      expect(html).toContain('Preencha as coordenadas');
    } finally {
      await server.close();
    }
  });
});
