/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineMeters } from '../../src/viability/geodesy.js';
import { testProviders } from '../support/db.js';
import {
  api,
  getWithBody,
  startTestServer,
  type TestServer,
  type Json,
} from '../support/server.js';
import { create, filterQuery } from './fixtures.js';

// Twelve boxes on a line going east from a centre in Maringá, about 111 m × cos(lat) apart.
const CENTRE = { lat: -23.4253, lng: -51.9386 };
const STEP = 0.001;

describe.each(testProviders())('OZmap API list queries on %s', (provider) => {
  let server: TestServer;
  let boxes: Array<Record<string, Json>>;
  let tagA: string;
  let tagB: string;
  let projectId: string;
  const list = async (query: string) => api(server, 'GET', `/api/v2/boxes?${query}`);
  const names = (res: { body: Json }) => res.body.rows.map((r: Json) => r.name);

  beforeAll(async () => {
    server = await startTestServer(provider);
    projectId = (await create(server, 'projects', { name: 'P' })).id;
    tagA = (await create(server, 'tags', { name: 'A', allowedTypes: ['box'] })).id;
    tagB = (await create(server, 'tags', { name: 'B', allowedTypes: ['box'] })).id;
    boxes = [];
    for (let i = 0; i < 12; i++) {
      boxes.push(
        await create(server, 'boxes', {
          project: projectId,
          name: `CTO-${String(i).padStart(2, '0')}`,
          coords: [CENTRE.lng + i * STEP, CENTRE.lat],
          implanted: i % 2 === 0,
          draft: i >= 10,
          hierarchyLevel: i % 3,
          tags: i % 4 === 0 ? [tagA, tagB] : i % 4 === 1 ? [tagA] : [],
          ...(i === 5 ? { observation: 'Rua Néo Alves' } : {}),
        }),
      );
    }
  });
  afterAll(async () => server.close());

  it('returns the envelope and walks pages through nextUrl', async () => {
    const first = await list('limit=5');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      total: 12,
      count: 5,
      start: 0,
      limit: 5,
      hasNextPage: true,
    });
    const seen: string[] = [];
    let res = first;
    for (;;) {
      seen.push(...names(res));
      if (!res.body.hasNextPage) break;
      expect(res.body.nextUrl).toMatch(/^\/api\/v2\/boxes\?/);
      res = await api(server, 'GET', res.body.nextUrl);
    }
    expect(res.body).toMatchObject({ start: 10, count: 2, nextUrl: null });
    expect(seen).toEqual(boxes.map((b) => b.name));
    expect((await list('page=3&limit=5')).body).toMatchObject({ start: 10, count: 2 });
    expect((await list('')).body.limit).toBe(25);
    expect((await list('limit=-1')).body).toMatchObject({ limit: 1000, count: 12 });
  });

  it('keeps the filter in nextUrl', async () => {
    const res = await list(
      `limit=2&${filterQuery([{ property: 'implanted', operator: '=', value: true }])}`,
    );
    expect(res.body.total).toBe(6);
    const next = await api(server, 'GET', res.body.nextUrl);
    expect(next.body.rows.every((r: Json) => r.implanted === true)).toBe(true);
    expect(next.body.start).toBe(2);
  });

  it.each([
    [[{ property: 'name', operator: '=', value: 'CTO-03' }], ['CTO-03']],
    [[{ property: 'name', operator: 'eq', value: 'CTO-03' }], ['CTO-03']],
    [[{ property: 'hierarchyLevel', operator: '!=', value: 0 }], [1, 2, 4, 5, 7, 8, 10, 11]],
    [[{ property: 'name', operator: 'like', value: 'cto-1' }], [10, 11]],
    [[{ property: 'hierarchyLevel', operator: '<', value: 1 }], [0, 3, 6, 9]],
    [[{ property: 'hierarchyLevel', operator: '<=', value: '1' }], [0, 1, 3, 4, 6, 7, 9, 10]],
    [[{ property: 'lng', operator: '>', value: CENTRE.lng + 9.5 * STEP }], [10, 11]],
    [[{ property: 'lng', operator: '>=', value: CENTRE.lng + 9.5 * STEP }], [10, 11]],
    [[{ property: 'name', operator: 'in', value: ['CTO-01', 'CTO-07'] }], [1, 7]],
    [[{ property: 'hierarchyLevel', operator: 'notin', value: [0, 1] }], [2, 5, 8, 11]],
    [[{ property: 'observation', operator: 'exists', value: true }], [5]],
    [[{ property: 'draft', operator: '=', value: true }], [10, 11]],
    [
      [
        [
          { property: 'name', operator: '=', value: 'CTO-00' },
          { property: 'name', operator: '=', value: 'CTO-11' },
        ],
      ],
      [0, 11],
    ],
    [
      [
        { property: 'implanted', operator: '=', value: true },
        { property: 'hierarchyLevel', operator: '=', value: 0 },
      ],
      [0, 6],
    ],
  ])('filters %j', async (filter, expected) => {
    const res = await list(`${filterQuery(filter)}&limit=100`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const want = expected.map((e) =>
      typeof e === 'number' ? `CTO-${String(e).padStart(2, '0')}` : e,
    );
    expect(names(res)).toEqual(want);
    expect(res.body.total).toBe(want.length);
  });

  it('filters id lists with =, in, all, notin and exists', async () => {
    const by = async (operator: string, value: unknown) =>
      names(await list(`${filterQuery([{ property: 'tags', operator, value }])}&limit=100`));
    expect(await by('=', tagB)).toEqual(['CTO-00', 'CTO-04', 'CTO-08']);
    expect(await by('in', [tagA])).toEqual([
      'CTO-00',
      'CTO-01',
      'CTO-04',
      'CTO-05',
      'CTO-08',
      'CTO-09',
    ]);
    expect(await by('all', [tagA, tagB])).toEqual(['CTO-00', 'CTO-04', 'CTO-08']);
    expect((await by('notin', [tagA])).length).toBe(6);
    expect((await by('exists', false)).length).toBe(6);
  });

  it('accepts the filter and sort in the GET body, as the SDK sends them', async () => {
    const res = await getWithBody(server, '/api/v2/boxes', {
      filter: [{ property: 'implanted', operator: '=', value: false }],
      sort: [{ property: 'name', direction: -1 }],
    });
    expect(names(res)).toEqual(['CTO-11', 'CTO-09', 'CTO-07', 'CTO-05', 'CTO-03', 'CTO-01']);
  });

  it('near: keeps exactly the boxes within the radius in metres, nearest first', async () => {
    const origin = { lat: CENTRE.lat, lng: CENTRE.lng + 3.2 * STEP };
    const radius = 250;
    const res = await list(
      `${filterQuery([{ property: 'coords', operator: 'near', value: { ...origin, radius } }])}&limit=100`,
    );
    const expected = boxes
      .map((b) => ({ name: b.name, d: haversineMeters(origin.lat, origin.lng, b.lat, b.lng) }))
      .filter((x) => x.d <= radius)
      .sort((a, b) => a.d - b.d)
      .map((x) => x.name);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(12);
    expect(names(res)).toEqual(expected);
    // The other spellings of a point, with numbers as strings.
    for (const value of [
      { coords: [String(origin.lng), String(origin.lat)], radius },
      { coordinates: [origin.lng, origin.lat], radius },
      { latitude: String(origin.lat), longitude: origin.lng, radius },
    ]) {
      const other = await list(
        `${filterQuery([{ property: 'coords', operator: 'near', value }])}&limit=100`,
      );
      expect(names(other)).toEqual(expected);
    }
  });

  it('within: a GeoJSON polygon, and a region by id', async () => {
    const west = CENTRE.lng + 1.5 * STEP;
    const east = CENTRE.lng + 4.5 * STEP;
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [west, CENTRE.lat - 0.001],
          [east, CENTRE.lat - 0.001],
          [east, CENTRE.lat + 0.001],
          [west, CENTRE.lat + 0.001],
          [west, CENTRE.lat - 0.001],
        ],
      ],
    };
    const byPolygon = await list(
      filterQuery([{ property: 'coords', operator: 'within', value: polygon }]),
    );
    expect(names(byPolygon)).toEqual(['CTO-02', 'CTO-03', 'CTO-04']);
    const regionType = await create(server, 'region-types', { name: 'Plano' });
    const region = await create(server, 'regions', {
      polygon,
      regionType: regionType.id,
      tags: [tagA],
      projects: [projectId],
    });
    const byRegion = await list(
      filterQuery([
        { property: 'coords', operator: 'within', value: { id: region.id, model: 'region' } },
      ]),
    );
    expect(names(byRegion)).toEqual(['CTO-02', 'CTO-03', 'CTO-04']);
    const containing = await api(
      server,
      'GET',
      `/api/v2/regions?${filterQuery([{ property: 'polygon', operator: 'point-intersect', value: { lat: CENTRE.lat, lng: CENTRE.lng + 3 * STEP } }])}`,
    );
    expect(containing.body.rows.map((r: Json) => r.id)).toEqual([region.id]);
    const outside = await api(
      server,
      'GET',
      `/api/v2/regions?${filterQuery([{ property: 'polygon', operator: 'point-intersect', value: { lat: CENTRE.lat, lng: CENTRE.lng } }])}`,
    );
    expect(outside.body.total).toBe(0);
  });

  it('sorts both directions and selects fields', async () => {
    const asc = await list(
      `sort=${encodeURIComponent(
        JSON.stringify([
          { property: 'hierarchyLevel', direction: 1 },
          { property: 'name', direction: -1 },
        ]),
      )}&limit=4`,
    );
    expect(names(asc)).toEqual(['CTO-09', 'CTO-06', 'CTO-03', 'CTO-00']);
    const desc = await list(
      `sort=${encodeURIComponent(JSON.stringify([{ property: 'name', direction: -1 }]))}&limit=2`,
    );
    expect(names(desc)).toEqual(['CTO-11', 'CTO-10']);
    const selected = await list('select=name,draft&limit=1');
    expect(Object.keys(selected.body.rows[0]).sort()).toEqual([
      '_id',
      'draft',
      'id',
      'kind',
      'name',
    ]);
  });

  it.each([
    ['malformed JSON', 'filter=[{"property":"name",', /filter: is not valid JSON/],
    [
      'unknown property',
      filterQuery([{ property: 'nome', operator: '=', value: 'x' }]),
      /unknown property "nome"/,
    ],
    [
      'unknown operator',
      filterQuery([{ property: 'name', operator: 'regex', value: 'x' }]),
      /unknown operator "regex"/,
    ],
    [
      'non-numeric number',
      filterQuery([{ property: 'hierarchyLevel', operator: '=', value: 'abc' }]),
      /hierarchyLevel.*expected a number/,
    ],
    [
      'non-boolean',
      filterQuery([{ property: 'draft', operator: '=', value: 'maybe' }]),
      /draft.*expected true or false/,
    ],
    [
      'non-numeric near lat',
      filterQuery([{ property: 'coords', operator: 'near', value: { lat: 'x', lng: 1 } }]),
      /lat must be a number/,
    ],
    [
      'near lat out of range',
      filterQuery([{ property: 'coords', operator: 'near', value: { lat: 91, lng: 1 } }]),
      /lat must be between/,
    ],
    [
      'degenerate polygon',
      filterQuery([
        {
          property: 'coords',
          operator: 'within',
          value: { type: 'Polygon', coordinates: [[[0, 0]]] },
        },
      ]),
      /invalid polygon/,
    ],
    [
      'like on a boolean',
      filterQuery([{ property: 'implanted', operator: 'like', value: 'x' }]),
      /"like" is not supported on "implanted"/,
    ],
    [
      'near inside OR',
      filterQuery([[{ property: 'coords', operator: 'near', value: { lat: 1, lng: 1 } }]]),
      /cannot be used inside an OR group/,
    ],
    ['sort by coords', 'sort=[{"property":"coords","direction":1}]', /cannot sort by "coords"/],
    ['page 0', 'page=0', /page: must be 1 or more/],
    ['non-numeric limit', 'limit=abc', /limit: must be an integer/],
    ['unknown populate', 'populate=project', /populate: "project"/],
  ])('refuses a bad query (%s) with 400', async (_label, query, message) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });
});
