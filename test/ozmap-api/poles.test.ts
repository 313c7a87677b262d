/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';
import { testProviders } from '../support/db.js';
import { create } from './fixtures.js';

// Two streets 120 m apart across a stream, the only crossing 400 m east; poles every ~40 m. The
// customer stands 22 m south of the first pole of the south street.
const LAT_S = -23.43;
const LNG0 = -51.95;
const M_LAT = 1 / 111_195;
const M_LNG = 1 / (111_195 * Math.cos((LAT_S * Math.PI) / 180));
const at = (north: number, east: number) => ({
  lat: LAT_S + north * M_LAT,
  lng: LNG0 + east * M_LNG,
});
const HOME = at(-22, 0);
const q = (p: { lat: number; lng: number }) => `lat=${p.lat}&lng=${p.lng}`;

describe.each(testProviders())('poles, spans and pole-mode viability on %s', (provider) => {
  let server: TestServer;
  let projectId: string;
  let typeId: string;
  const south: string[] = [];
  const north: string[] = [];
  let across: string; // box on n0: 120 m straight, ~1 km by the bridge
  let street: string; // box on s5: ~200 m along the street

  const get = (path: string, key = server.apiKey) =>
    api({ url: server.url, apiKey: key }, 'GET', path);
  // System settings need an admin key.
  let settingsKey: string | undefined;
  const patchConfig = async (body: Record<string, unknown>) => {
    const config = await get('/api/v2/system-configs');
    settingsKey ??= (await createApiKey(server.ctx.db, 'settings-admin', 'admin')).key;
    return api(
      { url: server.url, apiKey: settingsKey },
      'PATCH',
      `/api/v2/system-configs/${config.body.id}`,
      body,
    );
  };
  const box = async (name: string, pole: string, spot: { lat: number; lng: number }, ports = 8) => {
    const b = await create(server, 'boxes', {
      project: projectId,
      name,
      coords: [spot.lng, spot.lat],
      pole,
      implanted: true,
      hierarchyLevel: 0,
    });
    const type =
      ports === 8
        ? typeId
        : (
            await create(server, 'splitter-types', {
              code: `1x${ports}`,
              isDrop: true,
              ratio: { input: 1, output: ports },
            })
          ).id;
    const splitter = await create(server, 'splitters', { parent: b.id, splitterType: type });
    return { id: b.id as string, splitter: splitter.id as string };
  };
  const names = (list: Json[]) => list.map((b) => b.name);

  beforeAll(async () => {
    server = await startTestServer(provider);
    projectId = (await create(server, 'projects', { name: 'Maringá' })).id;
    typeId = (
      await create(server, 'splitter-types', {
        code: '1x8',
        isDrop: true,
        ratio: { input: 1, output: 8 },
      })
    ).id;
    for (let i = 0; i < 12; i++) {
      const s = at(0, i * 40);
      const n = at(120, i * 40);
      south.push(
        (
          await create(server, 'poles', {
            project: projectId,
            name: `S${i}`,
            coords: [s.lng, s.lat],
          })
        ).id,
      );
      north.push(
        (
          await create(server, 'poles', {
            project: projectId,
            name: `N${i}`,
            coords: [n.lng, n.lat],
          })
        ).id,
      );
    }
    for (const street of [south, north]) {
      for (let i = 1; i < street.length; i++) {
        await create(server, 'spans', { poles: [street[i - 1], street[i]] });
      }
    }
    await create(server, 'spans', {
      poles: [south[10], north[10]],
      cable: 'CABO-PONTE',
      length: 130,
    });
    across = (await box('CTO-OUTRO-LADO', north[0]!, at(120, 1))).id;
    street = (await box('CTO-RUA', south[5]!, at(1, 200))).id;
  });
  afterAll(async () => server.close());

  it('serves poles with their adjacents and spans with their lengths', async () => {
    const s1 = await get(`/api/v2/poles/${south[1]}`);
    expect(s1.status).toBe(200);
    expect(s1.body).toMatchObject({
      kind: 'Pole',
      name: 'S1',
      project: projectId,
      coords: [expect.closeTo(at(0, 40).lng, 9), expect.closeTo(LAT_S, 9)],
    });
    expect(s1.body.adjacents).toEqual([south[0], south[2]].sort());
    const bridge = await get(
      `/api/v2/spans?filter=${encodeURIComponent(JSON.stringify([{ property: 'cable', operator: '=', value: 'CABO-PONTE' }]))}`,
    );
    expect(bridge.body.total).toBe(1);
    expect(bridge.body.rows[0]).toMatchObject({
      kind: 'Span',
      poles: [south[10], north[10]],
      length: 130,
      measured: true,
      cable: 'CABO-PONTE',
      geometry: { type: 'LineString' },
    });
    const plain = await get(
      `/api/v2/spans?filter=${encodeURIComponent(JSON.stringify([{ property: 'poleA', operator: '=', value: south[0] }]))}`,
    );
    expect(plain.body.rows[0].measured).toBe(false);
    expect(plain.body.rows[0].length).toBeCloseTo(40, 0);
  });

  it('refuses bad spans with a 400 naming the field, and writes nothing', async () => {
    const before = (await get('/api/v2/spans?limit=1')).body.total;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ poles: [south[0], south[0]] }, 'poles', /two different poles/],
      [{ poles: [south[0], '0123456789abcdef01234567'] }, 'poles', /not found/],
      [{ poles: [south[0]] }, 'poles', /two pole ids/],
      [{ poles: [south[0], south[2]], length: -1 }, 'length', /at least 0/],
      [{ poles: [south[0], south[2]], length: 99_999 }, 'length', /at most 5000/],
      [
        { poles: [south[0], south[11]], length: 12 },
        'length',
        /shorter than the 44\d\.\d m between the poles/,
      ],
      [{ poles: [south[0], south[2]], length: 'far' }, 'length', /number/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api(server, 'POST', '/api/v2/spans', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.message).toMatch(message);
    }
    expect((await get('/api/v2/spans?limit=1')).body.total).toBe(before);
  });

  it('keeps radius mode by default, and answers along the poles once the mode is poles', async () => {
    const radius = await get(`/api/v2/ftth-viability/radius?${q(HOME)}`);
    expect(radius.body.mode).toBeUndefined(); // the OZmap shape, unchanged
    expect(names(radius.body.boxes)).toEqual(['CTO-OUTRO-LADO', 'CTO-RUA']);

    expect((await patchConfig({ viabilityMode: 'poles' })).status).toBe(204);
    const config = await get('/api/v2/system-configs');
    expect(config.body).toMatchObject({
      viabilityMode: 'poles',
      poleAccessDistance: 100,
      maxDropLength: 500,
      propertyPortsAsFree: false,
      blockedPortsAsFree: false,
      horizontalCondos: false,
    });
    try {
      const poles = await get(`/api/v2/ftth-viability/radius?${q(HOME)}&routes=true`);
      expect(poles.status).toBe(200);
      expect(poles.body.mode).toBe('poles');
      expect(poles.body.poles).toEqual({
        access_distance: 100,
        max_drop_length: 500,
        start_poles: 3,
      });
      expect(names(poles.body.boxes)).toEqual(['CTO-RUA']);
      const [rua] = poles.body.boxes;
      expect(rua.distance).toBeGreaterThan(rua.straight_distance);
      expect(rua.pole).toBe(south[5]);
      expect(rua.route.poles.at(-1)).toBe(south[5]);
      expect(rua.route.coordinates[0]).toEqual([HOME.lng, HOME.lat]);
      expect(rua.route.coordinates.at(-1)).toEqual([expect.any(Number), expect.any(Number)]);
      expect(poles.body.refused_boxes).toEqual([
        expect.objectContaining({
          name: 'CTO-OUTRO-LADO',
          reason: 'route_too_long',
          reason_message: 'Sem rota pelos postes dentro do tamanho máximo de drop',
          route_length: null,
          distance: expect.closeTo(142, 0),
        }),
      ]);
      // The request may ask for the other mode.
      const back = await get(`/api/v2/ftth-viability/radius?${q(HOME)}&mode=radius`);
      expect(names(back.body.boxes)).toEqual(['CTO-OUTRO-LADO', 'CTO-RUA']);
      // A long enough drop crosses the bridge; a request may only ask for less.
      await patchConfig({ maxDropLength: 1500 });
      const long = await get(`/api/v2/ftth-viability/poles?${q(HOME)}`);
      expect(names(long.body.boxes)).toEqual(['CTO-RUA', 'CTO-OUTRO-LADO']);
      expect(long.body.boxes[1].distance).toBeGreaterThan(900);
      const short = await get(`/api/v2/ftth-viability/poles?${q(HOME)}&maxDropLength=500`);
      expect(names(short.body.boxes)).toEqual(['CTO-RUA']);
    } finally {
      await patchConfig({ viabilityMode: 'radius', maxDropLength: 500 });
    }
    // /poles is pole mode whatever the setting.
    const forced = await get(`/api/v2/ftth-viability/poles?${q(HOME)}`);
    expect(forced.body.mode).toBe('poles');
    expect(names(forced.body.boxes)).toEqual(['CTO-RUA']);
  });

  it('sees a new span, a moved pole and a deleted span on the very next query', async () => {
    const ask = () => get(`/api/v2/ftth-viability/poles?${q(HOME)}&routes=true`);
    const bridge = await create(server, 'spans', {
      poles: [south[0], north[0]],
      cable: 'PASSARELA',
    });
    let answer = await ask();
    expect(names(answer.body.boxes)).toEqual(['CTO-OUTRO-LADO', 'CTO-RUA']);
    expect(answer.body.boxes[0].route.poles).toEqual([south[0], north[0]]);
    expect((await api(server, 'DELETE', `/api/v2/spans/${bridge.id}`)).status).toBe(204);
    expect(names((await ask()).body.boxes)).toEqual(['CTO-RUA']);

    // S5 moves 500 m east: CTO-RUA's pole is now out of reach (its spans follow the pole).
    const moved = at(0, 700);
    expect(
      (await api(server, 'PATCH', `/api/v2/poles/${south[5]}`, { coords: [moved.lng, moved.lat] }))
        .status,
    ).toBe(204);
    answer = await ask();
    expect(names(answer.body.boxes)).toEqual([]);
    expect(answer.body.refused_boxes.map((b: Json) => [b.name, b.reason])).toEqual([
      ['CTO-OUTRO-LADO', 'route_too_long'],
      ['CTO-RUA', 'route_too_long'],
    ]);
    const back = at(0, 200);
    await api(server, 'PATCH', `/api/v2/poles/${south[5]}`, { coords: [back.lng, back.lat] });
    expect(names((await ask()).body.boxes)).toEqual(['CTO-RUA']);
  });

  it('answers "no pole near" clearly, and refuses absurd settings with a 400 naming the field', async () => {
    const far = await get(`/api/v2/ftth-viability/poles?${q(at(-400, 0))}`);
    expect(far.status).toBe(200);
    expect(far.body.viable).toBe(false);
    expect(far.body.poles.start_poles).toBe(0);
    expect(far.body.message).toBe('no pole within 100 m of the point');
    for (const [param, value] of [
      ['maxDropLength', '0'],
      ['maxDropLength', '1e9'],
      ['maxDropLength', '-5'],
      ['accessDistance', 'abc'],
      ['accessDistance', '5000'],
      ['mode', 'circle'],
      ['maxBoxes', '0'],
    ]) {
      const res = await get(`/api/v2/ftth-viability/radius?${q(HOME)}&${param}=${value}`);
      expect(res.status, `${param}=${value}`).toBe(400);
      expect(res.body.field).toBe(param);
    }
    for (const [field, value] of [
      ['maxDropLength', 0],
      ['maxDropLength', 100_000],
      ['poleAccessDistance', 'x'],
      ['poleAccessDistance', 2.5],
      ['viabilityMode', 'circle'],
      ['propertyPortsAsFree', 'yes'],
      ['horizontalCondos', 1],
    ] as const) {
      const res = await patchConfig({ [field]: value, maxBoxesInRadius: 7 });
      expect(res.status, `${field}=${value}`).toBe(400);
      expect(res.body.field).toBe(field);
    }
    // Nothing of the refused bodies was written.
    expect((await get('/api/v2/system-configs')).body.maxBoxesInRadius).toBe(20);
  });

  it('takes the drop limit from the project, the system, the caller and the request', async () => {
    const ask = (extra = '', key = server.apiKey) =>
      get(`/api/v2/ftth-viability/poles?${q(HOME)}${extra}`, key);
    expect(names((await ask()).body.boxes)).toEqual(['CTO-RUA']);
    await patchConfig({ maxDropLength: 150 }); // CTO-RUA is ~220 m away along the poles
    try {
      expect(names((await ask()).body.boxes)).toEqual([]);
      // The project's own maximum drop size wins over the system's default.
      await api(server, 'PATCH', `/api/v2/projects/${projectId}`, { drop: { maxSize: 300 } });
      expect(names((await ask()).body.boxes)).toEqual(['CTO-RUA']);
      // A caller may be stricter (its profile), and so may one request.
      const profile = await api(
        server,
        'POST',
        '/admin/integrations',
        { name: 'vendas-rua', kind: 'generic', maxDropLength: 120 },
        { authorization: (await createApiKey(server.ctx.db, 'admin', 'admin')).key },
      );
      expect(profile.status).toBe(201);
      expect(profile.body.maxDropLength).toBe(120);
      const { key } = await createApiKey(server.ctx.db, 'rua', 'vendas-rua');
      expect(names((await ask('', key)).body.boxes)).toEqual([]);
      expect(names((await ask('&maxDropLength=190')).body.boxes)).toEqual([]);
      expect(names((await ask('&maxDropLength=300')).body.boxes)).toEqual(['CTO-RUA']);
    } finally {
      await api(server, 'PATCH', `/api/v2/projects/${projectId}`, { drop: { maxSize: 0 } });
      await patchConfig({ maxDropLength: 500 });
    }
    expect(names((await ask()).body.boxes)).toEqual(['CTO-RUA']);
  });

  it('counts vacant-property and blocked ports as free when set, and the sale takes them', async () => {
    // A full box 50 m east of the customer: port 1 held by a vacant property, port 2 blocked.
    const spot = at(-22, 50);
    const pole = (
      await create(server, 'poles', { project: projectId, coords: [spot.lng, spot.lat] })
    ).id;
    const full = await box('CTO-CHEIA', pole, spot, 2);
    await api(server, 'PATCH', `/api/v2/splitters/${full.splitter}`, {
      ports: [
        { index: 1, blocked: false },
        { index: 2, blocked: true },
      ],
    });
    const vacant = await create(server, 'properties', {
      box: full.id,
      address: 'Casa vazia',
      observation: 'Cliente saiu em 2026.',
      connector: full.splitter,
      port: 1,
    });
    const ask = () => get(`/api/v2/ftth-viability/radius?${q(HOME)}&radius=100`);
    expect((await ask()).body.refused_boxes.map((b: Json) => [b.name, b.reason])).toEqual([
      ['CTO-CHEIA', 'no_free_port'],
    ]);

    await patchConfig({ propertyPortsAsFree: true });
    try {
      let answer = await ask();
      expect(answer.body.boxes.map((b: Json) => [b.name, b.availability])).toEqual([
        ['CTO-CHEIA', 1],
      ]);
      await patchConfig({ blockedPortsAsFree: true });
      answer = await ask();
      expect(answer.body.boxes.map((b: Json) => [b.name, b.availability])).toEqual([
        ['CTO-CHEIA', 2],
      ]);

      // A sale at the box takes the vacant property's port first, and notes it on the property.
      const sold = await create(server, 'properties', {
        box: full.id,
        coords: [HOME.lng, HOME.lat],
        auto_connect: true,
        client: { code: 'VENDA-1', name: 'Cliente Um', implanted: false },
      });
      expect(sold.connections[0].port).toBe(1);
      const gaveUp = await get(`/api/v2/properties/${vacant.id}`);
      expect(gaveUp.body.connections).toEqual([]);
      expect(gaveUp.body.observation).toMatch(
        /^Cliente saiu em 2026\.\nPorta cedida ao cliente VENDA-1 em \d\d\/\d\d\/\d{4}\.$/,
      );
      // Then the blocked one.
      const second = await create(server, 'properties', {
        box: full.id,
        auto_connect: true,
        client: { code: 'VENDA-2', name: 'Cliente Dois', implanted: false },
      });
      expect(second.connections[0].port).toBe(2);
      answer = await ask();
      expect(answer.body.refused_boxes.map((b: Json) => [b.name, b.reason])).toEqual([
        ['CTO-CHEIA', 'no_free_port'],
      ]);
    } finally {
      await patchConfig({ propertyPortsAsFree: false, blockedPortsAsFree: false });
    }
  });

  it('serves gated communities from their own boxes when the setting is on', async () => {
    // A condominium 2 km east: its box inside, and a box just outside its wall.
    const c = at(0, 2000);
    const ring = [
      [-150, -150],
      [150, -150],
      [150, 150],
      [-150, 150],
      [-150, -150],
    ].map(([n, e]) => {
      const p = at(n!, 2000 + e!);
      return [p.lng, p.lat];
    });
    const condo = await create(server, 'horizontal-condominiums', {
      project: projectId,
      name: 'Condomínio Jardim das Flores',
      address: 'Av. das Flores, 1000',
      polygon: { type: 'Polygon', coordinates: [ring] },
    });
    const insidePole = (
      await create(server, 'poles', {
        project: projectId,
        coords: [at(100, 2000).lng, at(100, 2000).lat],
      })
    ).id;
    const outsidePole = (
      await create(server, 'poles', {
        project: projectId,
        coords: [at(0, 2180).lng, at(0, 2180).lat],
      })
    ).id;
    const inside = await box('CTO-CONDOMINIO', insidePole, at(100, 2000));
    await box('CTO-MURO', outsidePole, at(0, 2180));
    const ask = (p: { lat: number; lng: number }) =>
      get(`/api/v2/ftth-viability/radius?${q(p)}&radius=300`);

    // Off (the default): nearest first, whatever the wall.
    expect(names((await ask(c)).body.boxes)).toEqual(['CTO-CONDOMINIO', 'CTO-MURO']);
    const doc = await get(`/api/v2/horizontal-condominiums/${condo.id}`);
    expect(doc.body).toMatchObject({
      kind: 'HorizontalCondominium',
      name: 'Condomínio Jardim das Flores',
      boxes: [inside.id],
    });

    await patchConfig({ horizontalCondos: true });
    try {
      // A resident is served by the community's boxes only.
      const resident = await ask(c);
      expect(names(resident.body.boxes)).toEqual(['CTO-CONDOMINIO']);
      expect(resident.body.boxes[0].horizontal_condos).toEqual([
        { id: condo.id, name: 'Condomínio Jardim das Flores' },
      ]);
      expect(resident.body.horizontal_condos).toEqual([
        {
          id: condo.id,
          name: 'Condomínio Jardim das Flores',
          address: 'Av. das Flores, 1000',
          boxes: [inside.id],
        },
      ]);
      // A neighbour outside the wall is not offered the community's box.
      const neighbour = await ask(at(0, 2200));
      expect(names(neighbour.body.boxes)).toEqual(['CTO-MURO']);
      expect(neighbour.body.refused_boxes).toEqual([
        expect.objectContaining({ name: 'CTO-CONDOMINIO', reason: 'horizontal_condo' }),
      ]);
      // Editing the outline is seen at once: shrink it away from its box.
      const tiny = [
        [140, -10],
        [140, 10],
        [150, 10],
        [150, -10],
        [140, -10],
      ].map(([n, e]) => {
        const p = at(n!, 2000 + e!);
        return [p.lng, p.lat];
      });
      await api(server, 'PATCH', `/api/v2/horizontal-condominiums/${condo.id}`, {
        polygon: { type: 'Polygon', coordinates: [tiny] },
      });
      expect(names((await ask(at(0, 2200))).body.boxes)).toEqual(['CTO-MURO', 'CTO-CONDOMINIO']);
    } finally {
      await patchConfig({ horizontalCondos: false });
    }
  });

  it("applies an integration profile's mode and box cap to its keys only", async () => {
    const admin = (await createApiKey(server.ctx.db, 'admin2', 'admin')).key;
    const made = await api(
      server,
      'POST',
      '/admin/integrations',
      { name: 'vendas-postes', kind: 'generic', viabilityMode: 'poles', maxBoxes: 1 },
      { authorization: admin },
    );
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      viabilityMode: 'poles',
      maxBoxes: 1,
      horizontalCondos: null,
    });
    const { key } = await createApiKey(server.ctx.db, 'postes', 'vendas-postes');
    const theirs = await get(`/api/v2/ftth-viability/radius?${q(HOME)}`, key);
    expect(theirs.body.mode).toBe('poles');
    expect(names(theirs.body.boxes)).toEqual(['CTO-RUA']);
    const ours = await get(`/api/v2/ftth-viability/radius?${q(HOME)}`);
    expect(ours.body.mode).toBeUndefined();
    expect(ours.body.boxes.length).toBeGreaterThan(1);
    const bad = await api(
      server,
      'PATCH',
      '/admin/integrations/vendas-postes',
      { maxDropLength: 0 },
      { authorization: admin },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('maxDropLength');
    // null gives the setting back to the system
    await api(
      server,
      'PATCH',
      '/admin/integrations/vendas-postes',
      { viabilityMode: null },
      { authorization: admin },
    );
    const listed = await api(server, 'GET', '/admin/integrations', undefined, {
      authorization: admin,
    });
    expect(listed.body.find((p: Json) => p.name === 'vendas-postes').viabilityMode).toBeNull();
  });

  it('deletes a pole with its spans; its box stays, on no pole', async () => {
    const spans = await get(
      `/api/v2/spans?filter=${encodeURIComponent(JSON.stringify([{ property: 'poleB', operator: '=', value: north[11] }]))}`,
    );
    expect(spans.body.total).toBe(1);
    expect((await api(server, 'DELETE', `/api/v2/poles/${north[11]}`)).status).toBe(204);
    expect((await get(`/api/v2/spans/${spans.body.rows[0].id}`)).status).toBe(404);
    expect((await get(`/api/v2/poles/${north[10]}`)).body.adjacents).toEqual(
      [north[9], south[10]].sort(),
    );
    expect((await get(`/api/v2/boxes/${across}`)).body.pole).toBe(north[0]);
    expect(street).toBeDefined();
  });
});
