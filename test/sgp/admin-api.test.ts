/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// SGP integration profiles and sync runs over the admin API of the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { createBox } from '../support/network-fixture.js';
import { testProviders } from '../support/db.js';
import { SgpSimulator } from '../support/sgp-simulator.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(testProviders())('SGP over the admin API on %s', (provider) => {
  let server: TestServer;
  let sim: SgpSimulator;
  let admin: { url: string; apiKey: string };

  beforeAll(async () => {
    server = await startTestServer(provider);
    sim = await SgpSimulator.start({ token: 'tok-admin-9d2f61', app: 'AlcanceSync' });
    await server.ctx.integrations.ensureBindable('admin');
    admin = { url: server.url, apiKey: (await createApiKey(server.ctx.db, 'ops', 'admin')).key };
    const box = await createBox(server.ctx.db, { name: 'CTO-ADM' });
    await server.ctx.network.boxesChanged([box.boxId]);
    for (let i = 0; i < 3; i++) sim.addContract({ cto: 'CTO-ADM', port: i + 1 });
    sim.addContract({ cto: 'CTO-NAO-EXISTE', port: 1 });
  });
  afterAll(async () => {
    await server.close();
    await sim.close();
  });

  it('creates an SGP profile whose token is sealed at rest and never shown again', async () => {
    const created = await api(admin, 'POST', '/admin/integrations', {
      name: 'provedor',
      kind: 'sgp',
      url: `${sim.url}/`,
      token: sim.token,
      app: sim.app,
      cancelEveryMinutes: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'provedor',
      kind: 'sgp',
      enabled: true,
      url: sim.url,
      credentials: { token: true, password: false },
      settings: { app: 'AlcanceSync', updateEveryMinutes: 10, cancelEveryMinutes: 60 },
      mayReserve: false,
    });
    const listed = await api(admin, 'GET', '/admin/integrations');
    for (const body of [created.body, listed.body]) {
      expect(JSON.stringify(body)).not.toContain(sim.token);
    }
    const row = await server.ctx.db.integration.findUniqueOrThrow({ where: { name: 'provedor' } });
    expect(JSON.stringify(row)).not.toContain(sim.token);
    expect(row.tokenSealed).toMatch(/^sb1\./);
    // Sealed for this field of this integration: it does not open as another one's.
    expect(server.ctx.secrets.open(row.tokenSealed!, 'integration:provedor:token')).toBe(sim.token);
    expect(() => server.ctx.secrets.open(row.tokenSealed!, 'integration:outro:token')).toThrow();
  });

  it('refuses bad SGP profiles with 400 naming the field', async () => {
    const cases: Array<[Json, string, RegExp]> = [
      [{ name: 'a', kind: 'sgp', token: 't', app: 'x' }, 'url', /url is required/],
      [
        { name: 'a', kind: 'sgp', url: 'ftp://x', token: 't', app: 'x' },
        'url',
        /https:\/\/ or http:\/\//,
      ],
      [
        { name: 'a', kind: 'sgp', url: 'https://u:p@x.sgp.net.br', token: 't', app: 'x' },
        'url',
        /credentials/,
      ],
      [
        { name: 'a', kind: 'sgp', url: 'https://x.sgp.net.br', token: 't' },
        'app',
        /app is required/,
      ],
      [
        { name: 'a', kind: 'sgp', url: 'https://x.sgp.net.br', app: 'x' },
        'token',
        /token is required/,
      ],
      [{ name: 'a', kind: 'sgp', url: 'https://x.sgp.net.br' }, 'token', /token and app/],
      [
        {
          name: 'a',
          kind: 'sgp',
          url: 'https://x.sgp.net.br',
          token: 't',
          app: 'x',
          updateEveryMinutes: 0,
        },
        'updateEveryMinutes',
        /1 to 1440/,
      ],
      [{ name: 'a', kind: 'conecteai', url: 'https://x' }, 'url', /sync integrations/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api(admin, 'POST', '/admin/integrations', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ field, message: expect.stringMatching(message) });
    }
    expect(await server.ctx.db.integration.count({ where: { name: 'a' } })).toBe(0);
  });

  it('changes a profile, keeping its sealed token unless a new one is given', async () => {
    await api(admin, 'POST', '/admin/integrations', {
      name: 'mudavel',
      kind: 'sgp',
      url: 'https://mudavel.sgp.net.br',
      token: 'primeiro',
      app: 'App',
    });
    expect(
      (
        await api(admin, 'PATCH', '/admin/integrations/mudavel', {
          enabled: false,
          updateEveryMinutes: 5,
        })
      ).status,
    ).toBe(204);
    expect(await server.ctx.integrations.syncTarget('mudavel')).toMatchObject({
      enabled: false,
      token: 'primeiro',
      settings: { app: 'App', updateEveryMinutes: 5, cancelEveryMinutes: 30 },
    });
    await api(admin, 'PATCH', '/admin/integrations/mudavel', { token: 'segundo' });
    expect((await server.ctx.integrations.syncTarget('mudavel')).token).toBe('segundo');
    const kind = await api(admin, 'PATCH', '/admin/integrations/mudavel', { kind: 'generic' });
    expect(kind).toMatchObject({ status: 400, body: { field: 'kind' } });
  });

  it('starts a cycle on demand, reports its progress and its result', async () => {
    const started = await api(admin, 'POST', '/admin/sync-runs', { integration: 'provedor' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ integration: 'provedor', status: 'running' });
    const id = started.body.runId as string;
    const run = await until(
      () => api(admin, 'GET', `/admin/sync-runs/${id}`),
      (r) => r.body.status !== 'running',
    );
    expect(run.body).toMatchObject({
      id,
      integration: 'provedor',
      kind: 'sgp',
      cycle: 'create+update+cancel',
      trigger: 'api',
      status: 'succeeded',
      error: null,
      counts: { created: 3, skipped: 1, skippedByReason: { box_not_found: 1 }, error: 0 },
      progress: { scan: 'status 5', page: 1 },
      meta: { cancelScan: 'full' },
    });
    expect(run.body.items).toContainEqual({
      seq: expect.any(Number),
      itemId: '1003',
      outcome: 'skipped',
      reason: 'box_not_found',
      message: 'no box named "CTO-NAO-EXISTE" here',
    });
    // The next viability query sees the three ports.
    const v = await api(server, 'GET', '/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386');
    expect(v.body.boxes[0].availability).toBe(5);

    const skipped = await api(admin, 'GET', `/admin/sync-runs/${id}?outcome=skipped`);
    expect(skipped.body.items.map((i: Json) => i.itemId)).toEqual(['1003']);
    const list = await api(admin, 'GET', '/admin/sync-runs?integration=provedor&limit=5');
    expect(list.body.map((r: Json) => r.id)).toEqual([id]);
    expect(list.body[0]).not.toHaveProperty('items');
  });

  it('answers 409 while a cycle of the integration runs, 404 and 400 for bad requests', async () => {
    sim.inject({ kind: 'slow', delayMs: 800 }, { path: '/api/ura/clientes/' });
    const first = await api(admin, 'POST', '/admin/sync-runs', {
      integration: 'provedor',
      only: 'update',
    });
    expect(first.status).toBe(202);
    const second = await api(admin, 'POST', '/admin/sync-runs', { integration: 'provedor' });
    expect(second).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/a cycle of provedor is running already/) },
    });
    await until(
      () => api(admin, 'GET', `/admin/sync-runs/${first.body.runId as string}`),
      (r) => r.body.status === 'succeeded',
    );
    expect((await api(admin, 'POST', '/admin/sync-runs', { integration: 'nenhuma' })).status).toBe(
      404,
    );
    expect(
      (await api(admin, 'POST', '/admin/sync-runs', { integration: 'provedor', only: 'tudo' }))
        .body,
    ).toMatchObject({ field: 'only' });
    expect((await api(admin, 'POST', '/admin/sync-runs', {})).body).toMatchObject({
      field: 'integration',
    });
    expect((await api(admin, 'GET', '/admin/sync-runs?limit=0')).status).toBe(400);
    expect((await api(admin, 'GET', '/admin/sync-runs?status=ok')).body).toMatchObject({
      field: 'status',
    });
    expect((await api(admin, 'GET', '/admin/sync-runs/nada')).status).toBe(404);
    // Admin only.
    expect((await api(server, 'GET', '/admin/sync-runs')).status).toBe(403);
  });

  it('fails a run with a clear reason when SGP refuses the credentials', async () => {
    await api(admin, 'POST', '/admin/integrations', {
      name: 'errada',
      kind: 'sgp',
      url: sim.url,
      token: 'nao-e-este',
      app: sim.app,
    });
    const started = await api(admin, 'POST', '/admin/sync-runs', { integration: 'errada' });
    const run = await until(
      () => api(admin, 'GET', `/admin/sync-runs/${started.body.runId as string}`),
      (r) => r.body.status !== 'running',
    );
    expect(run.body).toMatchObject({
      status: 'failed',
      errorCode: 'sgp_wrong_credentials',
      error: expect.stringMatching(/^SGP could not be read: SGP refused the credentials/),
    });
    expect(JSON.stringify(run.body)).not.toContain('nao-e-este');
  });
});
