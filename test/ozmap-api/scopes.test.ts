/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import type { Scope } from '../../src/security/principal.js';
import { testProviders } from '../support/db.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';
import { filterQuery, network, type Network } from './fixtures.js';

// Issue 10 item 7 and issue 12 item 5: what each kind of key may do, whose customers it sees,
// and personal data masked without the `pii` scope.
describe.each(testProviders())('API key roles and scopes on %s', (provider) => {
  let server: TestServer;
  let net: Network;
  type Caller = { url: string; apiKey: string };
  const keys: Record<string, Caller> = {};
  const key = async (name: string, integration: string, scopes?: Scope[]) => {
    await server.ctx.integrations.ensureBindable(integration);
    const { key: apiKey } = await createApiKey(server.ctx.db, name, integration, scopes);
    keys[name] = { url: server.url, apiKey };
    return keys[name];
  };
  const codes = (res: { body: Json }) => res.body.rows.map((r: Json) => r.code).sort();
  const clientBody = (code: string) => ({
    code,
    name: `Cliente ${code}`,
    document: '52998224725',
    phone: '44999990000',
    email: 'maria@example.com',
  });

  beforeAll(async () => {
    server = await startTestServer(provider);
    net = await network(server, { ratio: 8 });
    await server.ctx.integrations.create({ name: 'crm-a', kind: 'conecteai' });
    await server.ctx.integrations.create({ name: 'crm-b', kind: 'fivehub' });
    await key('a', 'crm-a', ['read', 'write', 'pii']);
    await key('b', 'crm-b', ['read', 'write']);
    await key('auditor', 'crm-a', ['all']);
    await key('ispbox', 'ispbox');
    await key('reader', 'generic', ['read']);
    await key('ops', 'admin');
  });
  afterAll(async () => server.close());

  it('an integration key reads and changes only what its profile made', async () => {
    for (const [who, code] of [
      ['a', 'A-1'],
      ['b', 'B-1'],
    ] as const) {
      expect((await api(keys[who]!, 'POST', '/api/v2/ftth-clients', clientBody(code))).status).toBe(
        201,
      );
    }
    // A reservation made through a profile is that profile's too (property + nested client).
    const reserved = await api(keys.b!, 'POST', '/api/v2/properties', {
      box: net.boxId,
      auto_connect: true,
      client: clientBody('B-2'),
    });
    expect(reserved.status).toBe(201);
    await api(server, 'POST', '/api/v2/ftth-clients', clientBody('HQ-1'));

    expect(codes(await api(keys.a!, 'GET', '/api/v2/ftth-clients'))).toEqual(['A-1']);
    expect(codes(await api(keys.b!, 'GET', '/api/v2/ftth-clients'))).toEqual(['B-1', 'B-2']);
    // --scope all, the provider's own default key and admin keys see every customer.
    const everyone = ['A-1', 'B-1', 'B-2', 'HQ-1'];
    expect(codes(await api(keys.auditor!, 'GET', '/api/v2/ftth-clients'))).toEqual(everyone);
    expect(codes(await api(server, 'GET', '/api/v2/ftth-clients'))).toEqual(everyone);
    expect(codes(await api(keys.ops!, 'GET', '/api/v2/ftth-clients'))).toEqual(everyone);

    const bClient = await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code: 'B-1' } });
    // Another integration's record "does not exist" for A: read, change, delete, filter by it.
    expect((await api(keys.a!, 'GET', `/api/v2/ftth-clients/${bClient.id}`)).status).toBe(404);
    expect(
      (await api(keys.a!, 'PATCH', `/api/v2/ftth-clients/${bClient.id}`, { name: 'x' })).status,
    ).toBe(404);
    expect((await api(keys.a!, 'DELETE', `/api/v2/ftth-clients/${bClient.id}`)).status).toBe(404);
    expect((await api(keys.a!, 'GET', '/api/v2/properties/client/B-2')).status).toBe(404);
    const props = await api(keys.a!, 'GET', '/api/v2/properties');
    expect(props.body.total).toBe(0);
    expect((await api(keys.b!, 'GET', '/api/v2/properties')).body.total).toBe(1);
    // A batch update reaches only the caller's own records.
    const batch = await api(keys.a!, 'POST', '/api/v2/ftth-clients/batch-update', {
      filter: [{ property: 'code', operator: 'like', value: '-' }],
      update: { certified: true },
    });
    expect(batch.status).toBe(204);
    const certified = await server.ctx.db.ftthClient.findMany({ where: { certified: true } });
    expect(certified.map((c) => c.code)).toEqual(['A-1']);
    expect(
      (await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code: 'B-1' } })).name,
    ).toBe('Cliente B-1');

    await api(keys.a!, 'POST', '/api/v2/prospects', { name: 'Lead A', phone: '44988887777' });
    await api(keys.b!, 'POST', '/api/v2/prospects', { name: 'Lead B' });
    const leads = await api(keys.a!, 'GET', '/api/v2/prospects');
    expect(leads.body.rows.map((r: Json) => r.name)).toEqual(['Lead A']);
  });

  it('masks CPF, phone and e-mail for keys without the pii scope', async () => {
    const filter = filterQuery([{ property: 'code', operator: '=', value: 'B-2' }]);
    const masked = (await api(keys.b!, 'GET', `/api/v2/ftth-clients?${filter}`)).body.rows[0];
    expect(masked).toMatchObject({
      code: 'B-2',
      name: 'Cliente B-2',
      document: '*********25',
      phone: '*********00',
      email: 'm***@example.com',
    });
    const clear = (await api(keys.auditor!, 'GET', `/api/v2/ftth-clients?${filter}`)).body.rows[0];
    expect(clear).toMatchObject({
      document: '52998224725',
      phone: '44999990000',
      email: 'maria@example.com',
    });
    // The default key has no pii either; nested clients of properties are masked too.
    const text = JSON.stringify(
      (await api(server, 'GET', '/api/v2/properties?populate=client')).body,
    );
    expect(text).toContain('B-2');
    for (const secret of ['52998224725', '44999990000', 'maria@example.com']) {
      expect(text).not.toContain(secret);
    }
    const created = await api(keys.b!, 'POST', '/api/v2/ftth-clients', clientBody('B-3'));
    expect(created.body.document).toBe('*********25');
  });

  it('closes writes by kind: integration keys cannot change the network or the settings', async () => {
    const settings = await api(keys.ispbox!, 'GET', '/api/v2/system-configs');
    expect(settings.status).toBe(200);
    const patch = await api(keys.ispbox!, 'PATCH', `/api/v2/system-configs/${settings.body.id}`, {
      defaultRadius: 5000,
    });
    expect(patch.status).toBe(403);
    expect(patch.body.message).toMatch(/admin API key/);
    for (const [method, path, body] of [
      ['POST', '/api/v2/boxes', { project: net.projectId, coords: [-51.9, -23.4] }],
      ['PATCH', `/api/v2/boxes/${net.boxId}`, { draft: true }],
      ['DELETE', `/api/v2/splitters/${net.splitterId}`, undefined],
      ['POST', '/api/v2/tags', { name: 'hack' }],
    ] as const) {
      const res = await api(keys.ispbox!, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.message).toMatch(/integration key cannot change the network/);
    }
    expect((await api(keys.ispbox!, 'GET', '/api/v2/boxes')).status).toBe(200);
    expect(
      (await api(keys.ispbox!, 'GET', '/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386'))
        .status,
    ).toBe(200);
    const box = await server.ctx.db.box.findUniqueOrThrow({ where: { id: net.boxId } });
    expect(box.draft).toBe(false);
    expect(await server.ctx.db.tag.count({ where: { name: 'hack' } })).toBe(0);
    // An admin key may change the settings.
    const ok = await api(keys.ops!, 'PATCH', `/api/v2/system-configs/${settings.body.id}`, {
      defaultRadius: 400,
    });
    expect(ok.status).toBe(204);
  });

  it('a read-only key reads but cannot write, and says which scope is missing', async () => {
    expect((await api(keys.reader!, 'GET', '/api/v2/boxes')).status).toBe(200);
    const res = await api(keys.reader!, 'POST', '/api/v2/prospects', { name: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/"write" scope/);
    const who = await api(keys.reader!, 'GET', '/api/v2/authenticated');
    expect(who.body.key).toMatchObject({ name: 'reader', role: 'staff', scopes: ['read'] });
  });

  it('admin routes check the profile kind, not its name', async () => {
    // A profile *named* admin but of another kind opens nothing; one of kind admin does.
    await server.ctx.integrations.update('admin', { kind: 'conecteai' });
    const named = await key('named-admin', 'admin');
    await server.ctx.integrations.create({ name: 'ops-team', kind: 'admin' });
    const kind = await key('kind-admin', 'ops-team');
    const named403 = await api(named, 'GET', '/admin/integrations');
    expect(named403.status).toBe(403);
    expect((await api(kind, 'GET', '/admin/integrations')).status).toBe(200);
    const made = await api(kind, 'POST', '/admin/api-keys', {
      name: 'ro',
      integration: 'crm-a',
      scopes: 'read,pii',
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ integration: 'crm-a', scopes: ['read', 'pii'] });
    const bad = await api(kind, 'POST', '/admin/api-keys', { name: 'x', scopes: ['read', 'root'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/unknown scope "root"/);
  });
});
