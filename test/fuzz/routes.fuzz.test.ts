/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any -- the database fingerprint and response bodies are read generically */
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyBody, ProfileBody } from '../../src/integrations/admin-router.js';
import { ConfirmSchema } from '../../src/findme/routes.js';
import { ReserveSchema } from '../../src/integrations/ispbox/ozloc-routes.js';
import { BatchUpdateProperties, RESOURCES } from '../../src/integrations/ozmap-api/router.js';
import { BatchUpdateFtthClients } from '../../src/integrations/ozmap-api/resources/ftth-clients.js';
import { UpdateSystemConfig } from '../../src/integrations/ozmap-api/resources/system-configs.js';
import { OPERATORS } from '../../src/integrations/ozmap-api/query/filter-syntax.js';
import { MessageBody } from '../../src/bot/local/web-chat.js';
import { Release } from '../../src/bot/chat-system.js';
import { StartBody } from '../../src/integrations/sync-runs/routes.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { testProviders } from '../support/db.js';
import { api, getWithBody, startTestServer, type TestServer } from '../support/server.js';
import { create, network } from '../ozmap-api/fixtures.js';
import { badField, badValue, garbageBody, jsonSchemaOf } from './bad-values.js';

// The probe that stays (issue 10): for every route, bad values for every field generated from the
// route's own schema. Whatever is sent: never a 5xx, always a JSON message; what the schema
// refuses is a 4xx that writes nothing; and the service still answers afterwards.
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

const MODELS = [
  'project',
  'tag',
  'regionType',
  'region',
  'boxType',
  'pole',
  'box',
  'splitterType',
  'splitter',
  'ftthClient',
  'property',
  'prospect',
  'systemConfig',
  'integration',
] as const;

/** Row counts and last change of every table: equal before and after means nothing was written. */
async function fingerprint(db: Db): Promise<string> {
  const parts = await Promise.all(
    MODELS.map((m) =>
      (db as any)[m].aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
    ),
  );
  const keys = await db.apiKey.aggregate({ _count: { _all: true } });
  return JSON.stringify([parts, keys]);
}

interface Route {
  name: string;
  send: (server: TestServer, value: unknown) => Promise<{ status: number; body: any }>;
  /** The body the route sends, given the generated part. */
  arbitrary: fc.Arbitrary<unknown>;
  /** The schema that decides "must be refused"; absent for query fuzzing (never 5xx only). */
  schema?: z.ZodType;
  baseline?: Record<string, unknown>;
  writes: boolean;
}

describe.each(testProviders())('fuzzing every route on %s', (provider) => {
  let server: TestServer;
  let admin: TestServer;
  const ids: Record<string, string> = {};
  const routes: Route[] = [];
  let checked = 0;

  beforeAll(async () => {
    server = await startTestServer(provider, {
      RATE_LIMIT_API_PER_KEY_PER_MINUTE: '1000000',
      RATE_LIMIT_API_PER_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_PUBLIC_PER_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_WEB_CHAT_PER_SESSION_PER_MINUTE: '1000000',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '1000000',
    });
    const { key } = await createApiKey(server.ctx.db, 'fuzz', 'admin', ['all']);
    await server.ctx.integrations.ensureBindable('admin');
    admin = { ...server, apiKey: key };
    const net = await network(admin);
    ids.project = net.projectId;
    ids.splitterType = net.splitterTypeId;
    ids.box = net.boxId;
    ids.splitter = net.splitterId;
    const regionType = await create(admin, 'region-types', { name: 'rt' });
    ids.regionType = regionType.id;
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [-51.94, -23.43],
          [-51.93, -23.43],
          [-51.93, -23.42],
          [-51.94, -23.43],
        ],
      ],
    };
    // Two poles for the span baseline.
    const poleIds: string[] = [];
    for (const lng of [-51.9386, -51.9384]) {
      const pole = await create(admin, 'poles', { project: ids.project, coords: [lng, -23.4253] });
      poleIds.push(String(pole.id));
    }
    const baselines: Record<string, Record<string, unknown>> = {
      poles: { project: ids.project, coords: [-51.9385, -23.4252] },
      spans: { poles: poleIds, project: ids.project },
      'horizontal-condominiums': { polygon, project: ids.project },
      boxes: { project: ids.project, coords: [-51.9386, -23.4253] },
      splitters: { parent: ids.box, splitterType: ids.splitterType },
      'splitter-types': { code: 'fz-type', ratio: { input: 1, output: 8 } },
      'box-types': { code: 'fz-box-type' },
      'ftth-clients': { code: 'fz-client' },
      properties: { project: ids.project },
      prospects: { name: 'fz' },
      regions: { polygon, regionType: ids.regionType },
      'region-types': { name: 'fz-rt' },
      tags: { name: 'fz-tag' },
      projects: { name: 'fz-project' },
    };
    for (const def of RESOURCES) {
      const baseline = baselines[def.route] ?? {};
      // One record of each resource for the PATCH routes.
      const made = await api(admin, 'POST', `/api/v2/${def.route}`, {
        ...baseline,
        ...('code' in baseline ? { code: `${String(baseline.code)}-0` } : {}),
        ...('name' in baseline && def.route !== 'prospects'
          ? { name: `${String(baseline.name)}-0` }
          : {}),
      });
      expect(made.status, `${def.route}: ${JSON.stringify(made.body)}`).toBe(201);
      const id = made.body.id as string;
      const { create: createSchema, update: updateSchema } = def.schemas ?? {};
      if (createSchema) {
        routes.push(
          bodyRoute(`POST /${def.route}`, 'POST', `/api/v2/${def.route}`, createSchema, baseline),
        );
      }
      if (updateSchema) {
        routes.push(
          bodyRoute(`PATCH /${def.route}`, 'PATCH', `/api/v2/${def.route}/${id}`, updateSchema, {}),
        );
      }
      routes.push(listRoute(def.route, def.fields));
    }
    const sysId = (await api(admin, 'GET', '/api/v2/system-configs')).body.id as string;
    routes.push(
      bodyRoute(
        'PATCH /system-configs',
        'PATCH',
        `/api/v2/system-configs/${sysId}`,
        UpdateSystemConfig,
        {},
      ),
      bodyRoute(
        'POST /ftth-clients/batch-update',
        'POST',
        '/api/v2/ftth-clients/batch-update',
        BatchUpdateFtthClients,
        {
          filter: [{ property: 'code', value: 'none' }],
          update: {},
        },
      ),
      bodyRoute(
        'POST /properties/batch-update',
        'POST',
        '/api/v2/properties/batch-update',
        BatchUpdateProperties,
        {
          filter: [{ property: 'address', value: 'none' }],
          update: {},
        },
      ),
      bodyRoute('POST /admin/integrations', 'POST', '/admin/integrations', ProfileBody, {
        name: 'fz-profile',
        kind: 'generic',
      }),
      bodyRoute('PATCH /admin/integrations', 'PATCH', '/admin/integrations/admin', ProfileBody, {}),
      bodyRoute('POST /admin/api-keys', 'POST', '/admin/api-keys', ApiKeyBody, { name: 'fz-key' }),
      bodyRoute('POST /admin/sync-runs', 'POST', '/admin/sync-runs', StartBody, {
        integration: 'fz-no-such-sync',
      }),
      bodyRoute('POST /admin/chat/release', 'POST', '/admin/chat/release', Release, {
        channel: 'web',
        chatId: 'fuzz-chat',
      }),
      bodyRoute('POST /chat/messages', 'POST', '/chat/messages', MessageBody, {
        sessionId: 'fuzz-session-1',
        text: 'oi',
      }),
      bodyRoute('POST /findme/api/confirm', 'POST', '/findme/api/confirm', ConfirmSchema, {
        token: 'not-a-token',
        lat: -23.4,
        lng: -51.9,
      }),
      bodyRoute('POST /ozloc/api/reserve', 'POST', '/ozloc/api/reserve', ReserveSchema, {
        boxId: ids.box,
      }),
      {
        name: 'GET /ftth-viability/radius',
        writes: false,
        arbitrary: fc.record({
          lat: fc.oneof(fc.double(), fc.string({ maxLength: 30 }), fc.constant('1e300')),
          lng: fc.oneof(fc.double(), fc.string({ maxLength: 30 })),
          radius: fc.oneof(fc.integer(), fc.string({ maxLength: 30 }), fc.constant('-5')),
          tags: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('["a",1,{}]')),
        }),
        send: (s, value) => {
          const q = new URLSearchParams(
            Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
          );
          return api(s, 'GET', `/api/v2/ftth-viability/radius?${q.toString()}`);
        },
      },
    );
  }, 120_000);
  afterAll(async () => server.close());

  function bodyRoute(
    name: string,
    method: string,
    path: string,
    schema: z.ZodType,
    baseline: Record<string, unknown>,
  ): Route {
    return {
      name,
      schema,
      baseline,
      writes: true,
      arbitrary: fc.oneof(
        { weight: 4, arbitrary: badField(schema).map(([k, v]) => ({ ...baseline, [k]: v })) },
        { weight: 1, arbitrary: garbageBody },
      ),
      send: (s, value) => api(s, method, path, value === undefined ? null : value),
    };
  }

  function listRoute(route: string, fields: Record<string, { type: string }>): Route {
    const properties = Object.keys(fields);
    const filterItem = fc.record({
      property: fc.oneof(fc.constantFrom(...properties), fc.string({ maxLength: 12 })),
      operator: fc.oneof(fc.constantFrom(...OPERATORS), fc.string({ maxLength: 6 })),
      value: fc.oneof(
        badValue({ type: ['string', 'number', 'boolean', 'array', 'object'] }),
        fc.array(fc.string({ maxLength: 24 }), { maxLength: 600 }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    });
    return {
      name: `GET /${route}`,
      writes: false,
      arbitrary: fc.record(
        {
          page: fc.oneof(fc.integer(), fc.constant('1e300'), fc.string({ maxLength: 10 })),
          limit: fc.oneof(fc.integer(), fc.string({ maxLength: 10 })),
          start: fc.oneof(fc.integer(), fc.constant('1e300'), fc.string({ maxLength: 10 })),
          filter: fc.oneof(
            fc.array(fc.oneof(filterItem, fc.array(filterItem, { maxLength: 3 })), {
              maxLength: 6,
            }),
            fc.string({ maxLength: 40 }),
            fc.jsonValue({ maxDepth: 3 }),
          ),
          sort: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })),
          select: fc.string({ maxLength: 20 }),
          populate: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: [] },
      ),
      // The way the SDK sends a list query: filter and sort in the GET body, the rest in the URL.
      send: (s, value) => {
        const { filter, sort, ...rest } = value as Record<string, unknown>;
        const q = new URLSearchParams(
          Object.entries(rest).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
        );
        return getWithBody(s, `/api/v2/${route}?${q.toString()}`, { filter, sort });
      },
    };
  }

  it(
    'answers every generated request with a JSON message, never a 5xx; refused input writes nothing',
    { timeout: 600_000 },
    async () => {
      expect(routes.length).toBeGreaterThan(40);
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(route.arbitrary, async (value) => {
            const refused = route.schema ? !route.schema.safeParse(value).success : false;
            const before = route.writes ? await fingerprint(server.ctx.db) : '';
            const res = await route.send(admin, value);
            checked++;
            const where = `${route.name} ${JSON.stringify(value)?.slice(0, 300)}`;
            expect(res.status, where).toBeLessThan(500);
            if (res.status >= 400) {
              expect(typeof res.body?.message, where).toBe('string');
            }
            if (refused) {
              expect(res.status, where).toBeGreaterThanOrEqual(400);
              expect(await fingerprint(server.ctx.db), where).toBe(before);
            }
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        // Still answering, and viability still right, after each route's run.
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        const viable = await api(
          admin,
          'GET',
          '/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386',
        );
        expect(viable.status).toBe(200);
      }
      expect(checked).toBeGreaterThanOrEqual(routes.length * RUNS);
    },
  );

  it('generates from the routes’ own schemas (a sanity check of the generator)', () => {
    const schema = RESOURCES.find((r) => r.route === 'boxes')!.schemas!.create!;
    const root = jsonSchemaOf(schema);
    expect(Object.keys(root.properties ?? {})).toEqual(
      expect.arrayContaining(['hierarchyLevel', 'name', 'tags', 'coords']),
    );
    // Most generated one-field changes are refused by the schema (the rest may be valid by chance).
    const samples = fc.sample(
      badField(schema).map(([k, v]) => ({ project: '0'.repeat(24), [k]: v })),
      { numRuns: 200, seed: 1 },
    );
    const refused = samples.filter((s) => !schema.safeParse(s).success).length;
    expect(refused).toBeGreaterThan(150);
  });
});
