/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey, createApiKey } from '../../src/ozmap-model/api-keys.js';
import { testProviders } from '../support/db.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

describe.each(testProviders())('OZmap API authentication on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(provider);
  });
  afterAll(async () => server.close());

  it('refuses every /api/v2 call without a key, with a message', async () => {
    for (const path of ['/api/v2/boxes', '/api/v2/authenticated', '/api/v2/system-configs']) {
      const res = await api({ url: server.url, apiKey: '' }, 'GET', path);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/API key/);
    }
    const post = await api({ url: server.url, apiKey: '' }, 'POST', '/api/v2/projects', {
      name: 'x',
    });
    expect(post.status).toBe(401);
    expect(await server.ctx.db.project.count()).toBe(0);
  });

  it('refuses a wrong key and accepts the raw key, `Bearer <key>` and any header case', async () => {
    expect(
      (await api({ url: server.url, apiKey: 'alc_wrong' }, 'GET', '/api/v2/boxes')).status,
    ).toBe(401);
    expect((await api(server, 'GET', '/api/v2/authenticated')).status).toBe(200);
    const bearer = await api(
      { url: server.url, apiKey: `Bearer ${server.apiKey}` },
      'GET',
      '/api/v2/boxes',
    );
    expect(bearer.status).toBe(200);
    const res = await fetch(`${server.url}/api/v2/authenticated`, {
      headers: { AUTHORIZATION: server.apiKey },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { key: { name: string } }).key.name).toBe('test');
  });

  it('refuses a revoked key', async () => {
    const { key, record } = await createApiKey(server.ctx.db, 'to-revoke');
    expect((await api({ url: server.url, apiKey: key }, 'GET', '/api/v2/tags')).status).toBe(200);
    await revokeApiKey(server.ctx.db, record.id);
    server.ctx.apiKeys.forget();
    expect((await api({ url: server.url, apiKey: key }, 'GET', '/api/v2/tags')).status).toBe(401);
  });

  it('answers user login with 401 pointing at `alcance apikey create`', async () => {
    const res = await api({ url: server.url, apiKey: '' }, 'POST', '/api/v2/users/login?type=API', {
      login: 'a',
      password: 'b',
    });
    expect(res.status).toBe(401);
    expect(res.body.message).toContain('alcance apikey create');
  });
});
