/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { testProviders } from '../support/db.js';
import {
  api,
  getWithBody,
  startTestServer,
  type Json,
  type TestServer,
} from '../support/server.js';
import { create, filterQuery, network } from './fixtures.js';

// Issue 10 items 1, 3 and the `like` part of 8: every list, number and text has a bound, checked
// where it enters, answered with a 400 that names the field; and the tag `all` filter is linear.
describe.each(testProviders())('input limits on %s', (provider) => {
  let server: TestServer;
  let projectId: string;
  let tags: string[];
  const list = (route: string, query: string) => api(server, 'GET', `/api/v2/${route}?${query}`);
  const codes = (res: { body: Json }) => res.body.rows.map((r: Json) => r.code).sort();

  beforeAll(async () => {
    server = await startTestServer(provider);
    projectId = (await create(server, 'projects', { name: 'P' })).id;
    tags = [];
    for (let i = 0; i < 6; i++) tags.push((await create(server, 'tags', { name: `t${i}` })).id);
    // Client ci holds tags t0..ti.
    for (let i = 0; i < 6; i++) {
      await create(server, 'ftth-clients', { code: `c${i}`, tags: tags.slice(0, i + 1) });
    }
    for (const code of ['50%off', 'a_b', 'axb', 'plain']) {
      await create(server, 'ftth-clients', { code });
    }
  });
  afterAll(async () => server.close());

  it('tags `all` keeps exactly the rows holding every id, and 300 unknown ids answer at once', async () => {
    const all = (value: unknown) =>
      list('ftth-clients', `${filterQuery([{ property: 'tags', operator: 'all', value }])}`);
    expect(codes(await all([tags[2], tags[4]]))).toEqual(['c4', 'c5']);
    expect(codes(await all([tags[0]]))).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect((await all(tags)).body).toMatchObject({ total: 1, rows: [{ code: 'c5' }] });
    // What froze PostgreSQL for minutes: hundreds of ids. One of them real, the rest unknown.
    const many = [tags[5], ...Array.from({ length: 299 }, () => newId())];
    const res = await getWithBody(server, '/api/v2/ftth-clients', {
      filter: [{ property: 'tags', operator: 'all', value: many }],
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
    // And paging still works on the rows checked in memory.
    const paged = await list(
      'ftth-clients',
      `${filterQuery([{ property: 'tags', operator: 'all', value: [tags[0]] }])}&limit=2&page=2`,
    );
    expect(paged.body).toMatchObject({ total: 6, count: 2, start: 2 });
  });

  it('refuses lists and filters past their caps with a 400 naming the cap', async () => {
    const ids = (n: number) => Array.from({ length: n }, () => newId());
    for (const operator of ['in', 'notin', 'all']) {
      // As the SDK sends a long filter: in the GET body (a URL this long gets 431).
      const res = await getWithBody(server, '/api/v2/ftth-clients', {
        filter: [{ property: 'tags', operator, value: ids(501) }],
      });
      expect(res.status, operator).toBe(400);
      expect(res.body).toMatchObject({ field: 'filter' });
      expect(res.body.message).toMatch(/at most 500 values/);
    }
    // 998 values was a 500 on SQLite (too many bound parameters).
    const codesIn = await getWithBody(server, '/api/v2/ftth-clients', {
      filter: [{ property: 'code', operator: 'in', value: ids(998) }],
    });
    expect(codesIn.status).toBe(400);
    // 500 in one list is served on both databases.
    const ok = await getWithBody(server, '/api/v2/ftth-clients', {
      filter: [{ property: 'code', operator: 'in', value: [...ids(499), 'c1'] }],
    });
    expect(ok.status).toBe(200);
    expect(codes(ok)).toEqual(['c1']);
    // The cap holds across the lists of one filter, and on the number of conditions.
    const split = await getWithBody(server, '/api/v2/ftth-clients', {
      filter: [
        { property: 'code', operator: 'in', value: ids(300) },
        { property: 'code', operator: 'notin', value: ids(300) },
      ],
    });
    expect(split.status).toBe(400);
    expect(split.body.message).toMatch(/in all/);
    const conditions = Array.from({ length: 51 }, () => ({ property: 'implanted', value: false }));
    const wide = await list('ftth-clients', filterQuery(conditions));
    expect(wide.status).toBe(400);
    expect(wide.body.message).toMatch(/at most 50 conditions/);
  });

  it('`like` treats % and _ as plain characters', async () => {
    const like = (value: string) =>
      list('ftth-clients', filterQuery([{ property: 'code', operator: 'like', value }]));
    expect(codes(await like('%'))).toEqual(['50%off']);
    expect(codes(await like('_'))).toEqual(['a_b']);
    expect(codes(await like('A_B'))).toEqual(['a_b']);
    expect(codes(await like('0%o'))).toEqual(['50%off']);
    expect(codes(await like('x'))).toEqual(['axb']);
    expect(codes(await like('\\'))).toEqual([]);
  });

  it('refuses unbounded page, start and filter numbers with a 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['page=1e300', 'page'],
      ['start=1e300', 'start'],
      ['page=99999999999&limit=1000', 'page'],
      ['start=-1', 'start'],
    ] as const) {
      const res = await list('boxes', query);
      expect(res.status, query).toBe(400);
      expect(res.body.field).toBe(field);
    }
    const big = await list(
      'boxes',
      filterQuery([{ property: 'hierarchyLevel', operator: '>', value: 2 ** 31 }]),
    );
    expect(big.status).toBe(400);
    expect(big.body.message).toMatch(/whole number/);
    const fraction = await list(
      'properties',
      filterQuery([{ property: 'port', operator: '=', value: 1.5 }]),
    );
    expect(fraction.status).toBe(400);
    const longText = await list(
      'boxes',
      filterQuery([{ property: 'name', operator: '=', value: 'x'.repeat(1001) }]),
    );
    expect(longText.status).toBe(400);
    const nul = await list('boxes', filterQuery([{ property: 'name', value: 'a\u0000b' }]));
    expect(nul.status).toBe(400);
    const date = await list(
      'boxes',
      filterQuery([{ property: 'createdAt', operator: '>', value: '-200000-01-01' }]),
    );
    expect(date.status).toBe(400);
  });

  it('refuses integers past 32 bits, NUL characters and huge texts in bodies, writing nothing', async () => {
    const net = await network(server);
    const before = {
      boxes: await server.ctx.db.box.count(),
      types: await server.ctx.db.splitterType.count(),
      properties: await server.ctx.db.property.count(),
    };
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      [
        'POST',
        'boxes',
        { project: projectId, coords: [-51.9, -23.4], hierarchyLevel: 2 ** 31 },
        'hierarchyLevel',
      ],
      [
        'POST',
        'boxes',
        { project: projectId, coords: [-51.9, -23.4], default_reserve: 2 ** 31 },
        'default_reserve',
      ],
      [
        'POST',
        'splitter-types',
        { code: 'big', ratio: { input: 2 ** 31, output: 8 } },
        'ratio.input',
      ],
      [
        'POST',
        'properties',
        { project: projectId, connector: net.splitterId, port: 2 ** 31 },
        'port',
      ],
      ['POST', 'boxes', { project: projectId, coords: [-51.9, -23.4], name: 'a\u0000b' }, 'name'],
      [
        'POST',
        'boxes',
        { project: projectId, coords: [-51.9, -23.4], name: 'x'.repeat(900_000) },
        'name',
      ],
      [
        'POST',
        'boxes',
        { project: projectId, coords: [-51.9, -23.4], observation: 'x'.repeat(5001) },
        'observation',
      ],
      ['POST', 'properties', { project: projectId, potencyRead: 1e300 }, 'potencyRead'],
      ['POST', 'splitter-types', { code: 'x', ratio: { input: 1, output: 8 }, size: 1.5 }, 'size'],
    ];
    for (const [method, route, body, field] of cases) {
      const res = await api(server, method, `/api/v2/${route}`, body);
      expect(res.status, `${route} ${field}`).toBe(400);
      expect(res.body.field, `${route} ${field}`).toBe(field);
    }
    expect(await server.ctx.db.box.count()).toBe(before.boxes);
    expect(await server.ctx.db.splitterType.count()).toBe(before.types);
    expect(await server.ctx.db.property.count()).toBe(before.properties);
  });

  it('refuses absurd reservation days for an integration, so later reservations never fail', async () => {
    const { key } = await (
      await import('../../src/ozmap-model/api-keys.js')
    ).createApiKey(server.ctx.db, 'ops', 'admin');
    const admin = { url: server.url, apiKey: key };
    for (const reservationDays of [1e300, 0, -1, 3651]) {
      const res = await api(admin, 'POST', '/admin/integrations', {
        name: `bad${String(reservationDays).replace(/\W/g, '')}`,
        kind: 'conecteai',
        reservationDays,
      });
      expect(res.status, String(reservationDays)).toBe(400);
      expect(res.body.field).toBe('reservationDays');
    }
    expect(await server.ctx.db.integration.count({ where: { name: { startsWith: 'bad' } } })).toBe(
      0,
    );
  });
});

describe.each(testProviders().filter((p) => p === 'postgresql'))(
  'statement timeout on %s',
  (provider) => {
    let server: TestServer;
    beforeAll(async () => {
      // A route that runs one slow statement stands in for any query the limits did not foresee.
      const slow = Router();
      slow.get('/sleep', async (_req, res) => {
        await server.ctx.db.$queryRawUnsafe('SELECT pg_sleep(5)');
        res.json({ slept: true });
      });
      server = await startTestServer(
        provider,
        { DATABASE_STATEMENT_TIMEOUT_MS: '300' },
        { routers: [{ path: '/t', router: slow }] },
      );
    });
    afterAll(async () => server.close());

    it('cancels a statement past DATABASE_STATEMENT_TIMEOUT_MS: 503 with Retry-After, and the pool goes on', async () => {
      const res = await fetch(`${server.url}/t/sleep`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(((await res.json()) as { message: string }).message).toMatch(/too long/);
      const rows = await server.ctx.db.$queryRawUnsafe<Array<{ timeout: string }>>(
        "SELECT current_setting('statement_timeout') AS timeout",
      );
      expect(rows[0]?.timeout).toBe('300ms');
      expect((await api(server, 'GET', '/api/v2/boxes')).status).toBe(200);
    });
  },
);
