/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
// Who may do what: every workspace and admin route for anonymous callers, sales and admin users
// and API keys; sign-in, throttling, sessions that expire or end, CSRF, and personal data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { testProviders } from '../support/db.js';
import { api, type Json } from '../support/server.js';
import {
  boxNearHome,
  reserveThroughApi,
  startSalesServer,
  type SalesServer,
  type Session,
} from './harness.js';

type Need = 'session' | 'admin';

describe.each(testProviders())('workspace access on %s', (provider) => {
  let server: SalesServer;
  let ana: Session;
  let bruno: Session;
  let reservationId: string;
  let prospectId: string;
  let adminKey: string;

  beforeAll(async () => {
    server = await startSalesServer(provider, {
      SALES_LOGIN_MAX_ATTEMPTS: '3',
      SALES_SESSION_HOURS: '2',
    });
    await boxNearHome(server, 'CTO-ACESSO', 40);
    await reserveThroughApi(server, {
      code: 'ACC-1',
      name: 'Maria Souza',
      phone: '5544999991234',
      document: '52998224725',
    });
    reservationId = (await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code: 'ACC-1' } }))
      .id;
    const p = await api(server, 'POST', '/api/v2/prospects', {
      name: 'Lia Campos',
      phone: '5544988887777',
    });
    prospectId = p.body.id;
    await server.sales.settle();
    await server.sales.watch.sweep();
    ana = await server.login('ana');
    bruno = await server.login('bruno');
    adminKey = (await createApiKey(server.ctx.db, 'ops', 'admin')).key;
  });
  afterAll(async () => server?.close());

  const X = '0123456789abcdef01234567';
  const ROUTES: Array<[string, string, Need, unknown?]> = [
    ['GET', '/sales/api/session', 'session'],
    ['GET', '/sales/api/today', 'session'],
    ['GET', '/sales/api/filters', 'session'],
    ['GET', '/sales/api/reservations', 'session'],
    ['GET', '/sales/api/reservations.csv', 'session'],
    ['GET', `/sales/api/reservations/${X}`, 'session'],
    ['GET', `/sales/api/reservations/${X}/move-options`, 'session'],
    [
      'POST',
      `/sales/api/reservations/${X}/confirm`,
      'session',
      { version: new Date().toISOString() },
    ],
    [
      'POST',
      `/sales/api/reservations/${X}/release`,
      'session',
      { version: new Date().toISOString() },
    ],
    [
      'POST',
      `/sales/api/reservations/${X}/extend`,
      'session',
      { version: new Date().toISOString(), days: 3 },
    ],
    [
      'POST',
      `/sales/api/reservations/${X}/move`,
      'session',
      { version: new Date().toISOString(), boxId: X },
    ],
    ['POST', `/sales/api/reservations/${X}/notes`, 'session', { text: 'x' }],
    ['GET', '/sales/api/prospects', 'session'],
    ['GET', '/sales/api/prospects.csv', 'session'],
    ['GET', `/sales/api/prospects/${X}`, 'session'],
    ['POST', `/sales/api/prospects/${X}/status`, 'session', { version: 'new', status: 'won' }],
    ['POST', `/sales/api/prospects/${X}/notes`, 'session', { text: 'x' }],
    ['GET', '/sales/api/map?bbox=-51.95,-23.43,-51.93,-23.42', 'session'],
    ['GET', '/sales/api/handoffs', 'session'],
    ['GET', `/sales/api/handoffs/${X}`, 'session'],
    ['POST', `/sales/api/handoffs/${X}/take`, 'session'],
    ['POST', `/sales/api/handoffs/${X}/reply`, 'session', { text: 'oi' }],
    ['POST', `/sales/api/handoffs/${X}/hand-back`, 'session'],
    ['POST', `/sales/api/handoffs/${X}/close`, 'session'],
    ['GET', '/sales/api/audit', 'session'],
    ['GET', '/sales/api/users', 'admin'],
    ['POST', '/sales/api/users', 'admin', { username: 'x', role: 'nope' }],
    ['POST', `/sales/api/users/${X}/disable`, 'admin'],
    ['POST', `/sales/api/users/${X}/enable`, 'admin'],
    ['POST', `/sales/api/users/${X}/reset-password`, 'admin'],
    ['GET', '/sales/api/webhooks', 'admin'],
    ['POST', '/sales/api/webhooks', 'admin', { url: 'x' }],
    ['PATCH', `/sales/api/webhooks/${X}`, 'admin', { active: false }],
    ['DELETE', `/sales/api/webhooks/${X}`, 'admin'],
    ['GET', `/sales/api/webhooks/${X}/deliveries`, 'admin'],
    ['POST', '/sales/api/logout', 'session'],
  ];

  it.each(ROUTES)(
    '%s %s: anonymous 401, sales %s, admin allowed',
    async (method, path, need, body) => {
      const anonymous = await server.call(undefined, method, path, body);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.message).toBe('Entre com seu usuário e senha para continuar.');
      // Logging out would end the shared sessions: use throwaway ones for it.
      const salesSession = path.endsWith('/logout') ? await server.login('carla') : bruno;
      const adminSession = path.endsWith('/logout') ? await server.login('ana') : ana;
      const asSales = await server.call(salesSession, method, path, body);
      if (need === 'admin') {
        expect(asSales.status).toBe(403);
        expect(asSales.body.message).toMatch(/não tem acesso/);
      } else {
        expect([401, 403]).not.toContain(asSales.status);
      }
      const asAdmin = await server.call(adminSession, method, path, body);
      expect([401, 403]).not.toContain(asAdmin.status);
      expect(asAdmin.status).toBeLessThan(500);
    },
  );

  const ADMIN_API: Array<[string, string, unknown?]> = [
    ['GET', '/admin/users'],
    ['POST', '/admin/users', { username: 'via-api', role: 'sales' }],
    ['POST', '/admin/users/via-api/disable'],
    ['POST', '/admin/users/via-api/enable'],
    ['POST', '/admin/users/via-api/reset-password'],
    ['GET', '/admin/webhooks'],
    [
      'POST',
      '/admin/webhooks',
      { url: 'http://127.0.0.1:9/x', events: '*', secret: 'segredo-compartilhado-0123' },
    ],
    ['GET', `/admin/webhooks/${X}/deliveries`],
    ['PATCH', `/admin/webhooks/${X}`, { active: false }],
    ['DELETE', `/admin/webhooks/${X}`],
    ['POST', `/admin/webhook-deliveries/${X}/retry`],
    ['GET', '/admin/audit'],
  ];

  it.each(ADMIN_API)(
    '%s %s: no key 401, integration key 403, admin key allowed',
    async (method, path, body) => {
      expect((await api({ url: server.url, apiKey: '' }, method, path, body)).status).toBe(401);
      expect((await api(server, method, path, body)).status).toBe(403);
      // A signed-in admin's cookie is not an API key.
      expect((await server.call(ana, method, path, body)).status).toBe(401);
      const ok = await api({ url: server.url, apiKey: adminKey }, method, path, body);
      expect([401, 403]).not.toContain(ok.status);
      expect(ok.status).toBeLessThan(500);
    },
  );

  it('the admin API creates users as the CLI does, audited with the key as actor', async () => {
    const made = await api({ url: server.url, apiKey: adminKey }, 'POST', '/admin/users', {
      username: 'Diego',
      role: 'sales',
    });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ username: 'diego', role: 'sales', disabled: false });
    expect(made.body.password).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/);
    expect(made.body.user).not.toHaveProperty('passwordHash');
    await server.login('diego', made.body.password);
    const twice = await api({ url: server.url, apiKey: adminKey }, 'POST', '/admin/users', {
      username: 'diego',
      role: 'sales',
    });
    expect(twice).toMatchObject({ status: 409, body: { field: 'username' } });
    const bad = await api({ url: server.url, apiKey: adminKey }, 'POST', '/admin/users', {
      username: 'x y',
      role: 'chefe',
    });
    expect(bad).toMatchObject({ status: 400, body: { field: 'username' } });
    const audit = await api(
      { url: server.url, apiKey: adminKey },
      'GET',
      '/admin/audit?subjectType=user',
    );
    expect(
      audit.body.find((e: Json) => e.action === 'user.create' && e.detail.username === 'diego'),
    ).toMatchObject({ actor: { type: 'apikey', name: 'ops' } });
  });

  it('sign-in: the cookie is httpOnly, SameSite=Strict, under /sales; wrong passwords are throttled', async () => {
    const res = await fetch(`${server.url}/sales/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carla', password: 'senha-de-teste-123' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^alcance_sales=[\w-]{40,}; Path=\/sales; HttpOnly; SameSite=Strict; Max-Age=7200$/,
    );

    const wrong = (password: string) =>
      server.call(undefined, 'POST', '/sales/api/login', { username: 'Carla', password });
    expect(await wrong('errada-1')).toMatchObject({
      status: 401,
      body: { message: 'Usuário ou senha incorretos.', field: 'password' },
    });
    // A name that does not exist answers exactly the same.
    expect(
      (
        await server.call(undefined, 'POST', '/sales/api/login', {
          username: 'ninguem',
          password: 'x',
        })
      ).body.message,
    ).toBe('Usuário ou senha incorretos.');
    await wrong('errada-2');
    await wrong('errada-3');
    const blocked = await wrong('senha-de-teste-123');
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(
      /^Muitas tentativas de entrada\. Tente de novo em \d+ min\.$/,
    );
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      await server.call(undefined, 'POST', '/sales/api/login', { username: 'carla' }),
    ).toMatchObject({ status: 400, body: { field: 'password' } });
  });

  it('a session expires after the idle time; a disabled user is out at once', async () => {
    const eva = await api({ url: server.url, apiKey: adminKey }, 'POST', '/admin/users', {
      username: 'eva',
      role: 'sales',
      password: 'senha-da-eva-123',
    });
    expect(eva.status).toBe(201);
    const s = await server.login('eva', 'senha-da-eva-123');
    expect((await server.call(s, 'GET', '/sales/api/today')).status).toBe(200);
    server.clock.advance(2 * 3_600_000 + 1000);
    const expired = await server.call(s, 'GET', '/sales/api/today');
    expect(expired).toMatchObject({
      status: 401,
      body: { message: 'Sua sessão expirou. Entre de novo para continuar.' },
    });
    ana = await server.login('ana');
    bruno = await server.login('bruno');

    const s2 = await server.login('eva', 'senha-da-eva-123');
    expect((await server.call(ana, 'POST', '/sales/api/users/eva/disable')).status).toBe(200);
    expect((await server.call(s2, 'GET', '/sales/api/today')).status).toBe(401);
    const again = await server.call(undefined, 'POST', '/sales/api/login', {
      username: 'eva',
      password: 'senha-da-eva-123',
    });
    expect(again).toMatchObject({
      status: 403,
      body: { message: 'Este usuário está desativado. Fale com um administrador.' },
    });
    expect((await server.call(ana, 'POST', '/sales/api/users/ana/disable')).body.message).toMatch(
      /cannot disable your own/,
    );
  });

  it('changes need the CSRF token and a same-origin page', async () => {
    const path = `/sales/api/reservations/${reservationId}/notes`;
    const noToken = await server.call({ ...bruno, csrf: '' }, 'POST', path, { text: 'x' });
    expect(noToken).toMatchObject({
      status: 403,
      body: { message: 'A página ficou desatualizada. Recarregue e tente de novo.' },
    });
    const wrongToken = await server.call({ ...bruno, csrf: 'x'.repeat(32) }, 'POST', path, {
      text: 'x',
    });
    expect(wrongToken.status).toBe(403);
    const elsewhere = await server.call(
      bruno,
      'POST',
      path,
      { text: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(elsewhere.status).toBe(403);
    const ok = await server.call(
      bruno,
      'POST',
      path,
      { text: 'Cliente prefere instalação à tarde.' },
      { origin: server.url },
    );
    expect(ok.status).toBe(201);
  });

  it('personal data is shown to signed-in users only', async () => {
    const detail = await server.call(bruno, 'GET', `/sales/api/reservations/${reservationId}`);
    expect(detail.body.reservation).toMatchObject({
      phone: '5544999991234',
      document: '52998224725',
      email: 'cliente@example.com',
    });
    const list = await server.call(undefined, 'GET', '/sales/api/reservations?q=52998224725');
    expect(list.status).toBe(401);
    expect(list.text).not.toContain('5299822');
    const prospect = await server.call(bruno, 'GET', `/sales/api/prospects/${prospectId}`);
    expect(prospect.body.prospect.phone).toBe('5544988887777');
  });
});
