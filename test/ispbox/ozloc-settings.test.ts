/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// OZloc with OZmap's viability settings: `viabilityTags` in the opening URL, the Ispbox profile in
// pole mode (boxes by drop length, with routes; a box out of reach refused on reserve).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_HEADER } from '../../src/integrations/ispbox/ozloc-routes.js';
import { newId } from '../../src/ids.js';
import { buildWebInto } from '../support/build-web.js';
import { testProviders } from '../support/db.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';
import { configOf, east, HOME, ozlocUrl, seedIspbox, type IspboxNetwork } from './ozloc-fixture.js';

let dist: string;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'ozloc-settings-web-'));
  await buildWebInto(dist);
});
afterAll(() => {
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe.each(testProviders())('OZloc viability settings on %s', (provider) => {
  let server: TestServer;
  let net: IspboxNetwork;

  beforeAll(async () => {
    server = await startTestServer(provider, {}, { webDist: dist });
    net = await seedIspbox(server);
    // A 500 Mega plan region around CTO-B (150 m east) only.
    const { db } = server.ctx;
    const regionType = await db.regionType.create({ data: { id: newId(), name: 'Planos' } });
    const c = east(150);
    const d = 0.0004;
    await db.region.create({
      data: {
        id: newId(),
        regionTypeId: regionType.id,
        polygonJson: JSON.stringify({
          type: 'Polygon',
          coordinates: [
            [
              [c.lng - d, c.lat - d],
              [c.lng + d, c.lat - d],
              [c.lng + d, c.lat + d],
              [c.lng - d, c.lat + d],
              [c.lng - d, c.lat - d],
            ],
          ],
        }),
        tags: { create: { id: newId(), name: 'plano-500mb' } },
      },
    });
    await server.ctx.network.regionsChanged();
  });
  afterAll(async () => server?.close());

  const open = async (extra: Record<string, string>) =>
    fetch(
      ozlocUrl(server.url, {
        authorization: net.key,
        lat: String(HOME.lat),
        lng: String(HOME.lng),
        cod_cli: `ISP-${Math.random().toString(36).slice(2, 8)}`,
        ...extra,
      }),
      { headers: { accept: 'text/html' } },
    );
  const boxesOf = async (session: string) => {
    const res = await fetch(`${server.url}/ozloc/api/boxes`, {
      headers: { [SESSION_HEADER]: session },
    });
    return await res.json();
  };

  it('viabilityTags keeps only the boxes in regions of those tags', async () => {
    const all = configOf(await (await open({})).text());
    expect((await boxesOf(all.session)).boxes.map((b: Json) => b.name)).toEqual([
      'CTO-A',
      'CTO-UMA',
      'CTO-B',
    ]);
    const res = await open({ viabilityTags: 'plano-500mb' });
    expect(res.status).toBe(200);
    const config = configOf(await res.text());
    expect(config.tags).toEqual(['plano-500mb']);
    expect((await boxesOf(config.session)).boxes.map((b: Json) => b.name)).toEqual(['CTO-B']);
    // A box outside the plan's regions is refused on reserve, too.
    const refused = await fetch(`${server.url}/ozloc/api/reserve`, {
      method: 'POST',
      headers: { [SESSION_HEADER]: config.session, 'content-type': 'application/json' },
      body: JSON.stringify({ boxId: net.boxes.a }),
    });
    expect(refused.status).toBe(409);
    // JSON array form, as some Ispbox setups send it.
    const json = configOf(await (await open({ viabilityTags: '["plano-500mb"]' })).text());
    expect(json.tags).toEqual(['plano-500mb']);
  });

  it('an unknown viabilityTags tag is a clear page, not an empty list', async () => {
    const res = await open({ viabilityTags: 'plano-que-nao-existe' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Tags de viabilidade inválidas');
    expect(html).toContain('plano-que-nao-existe');
  });

  it('in pole mode lists boxes by drop length with their routes, and refuses one out of reach', async () => {
    // Poles along the street to CTO-B only; CTO-A and CTO-UMA hang on no pole.
    const { db, network } = server.ctx;
    const project = (await db.project.findFirstOrThrow()).id;
    const poles: string[] = [];
    for (let m = 0; m <= 150; m += 30) {
      const p = east(m);
      const id = newId();
      await db.pole.create({ data: { id, projectId: project, ...p } });
      if (poles.length) {
        await db.span.create({
          data: { id: newId(), projectId: project, poleAId: poles.at(-1)!, poleBId: id },
        });
      }
      poles.push(id);
    }
    await db.box.update({ where: { id: net.boxes.b }, data: { poleId: poles.at(-1) } });
    await network.polesChanged(poles);
    await server.ctx.integrations.update('ispbox', { viabilityMode: 'poles' });
    try {
      const config = configOf(await (await open({})).text());
      expect(config).toMatchObject({ mode: 'poles', maxDropLength: 500 });
      const listed = await boxesOf(config.session);
      expect(listed.mode).toBe('poles');
      expect(listed.boxes).toEqual([
        expect.objectContaining({
          name: 'CTO-B',
          distance: expect.closeTo(150, -1),
          straightDistance: expect.closeTo(150, 0),
          route: expect.arrayContaining([[HOME.lng, HOME.lat]]),
        }),
      ]);
      // From the client, straight to the nearest pole it may start at (the one 90 m away:
      // every pole within 100 m may), then pole by pole to the box.
      const route = listed.boxes[0].route as Array<[number, number]>;
      expect(route[0]).toEqual([HOME.lng, HOME.lat]);
      expect(route).toHaveLength(2 + 3);
      expect(route[1]![0]).toBeCloseTo(east(90).lng, 9);
      const far = await fetch(`${server.url}/ozloc/api/reserve`, {
        method: 'POST',
        headers: { [SESSION_HEADER]: config.session, 'content-type': 'application/json' },
        body: JSON.stringify({ boxId: net.boxes.a }),
      });
      expect(far.status).toBe(422);
      expect((await far.json()).message).toMatch(/não alcança este cliente pelos postes/);
      const ok = await fetch(`${server.url}/ozloc/api/reserve`, {
        method: 'POST',
        headers: { [SESSION_HEADER]: config.session, 'content-type': 'application/json' },
        body: JSON.stringify({ boxId: net.boxes.b }),
      });
      expect(ok.status).toBe(201);
    } finally {
      await server.ctx.integrations.update('ispbox', { viabilityMode: null });
    }
  });
});
