/* eslint-disable @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON; the tests check them */
// Shared by the sales workspace tests: a real server on 127.0.0.1 with a controlled clock, signed-in
// users with their cookies, and small helpers to act as the sales team would.
import { createLogger } from '../../src/logger.js';
import type { Role } from '../../src/sales/audit.js';
import type { DbProvider } from '../../src/ozmap-model/db/client.js';
import { createBox } from '../support/network-fixture.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';

export const HOME = { lat: -23.4253, lng: -51.9386 };

/** A clock the test moves: starts on a Tuesday, 10:00 in São Paulo (inside business hours). */
export class TestClock {
  now = new Date('2026-12-01T13:00:00Z');
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
  set(iso: string): void {
    this.now = new Date(iso);
  }
}

export interface Session {
  cookie: string;
  csrf: string;
  username: string;
}

export interface SalesServer extends TestServer {
  clock: TestClock;
  users: Record<string, { password: string; session?: Session }>;
  /** Signs in; the session's cookie and CSRF token. */
  login(username: string, password?: string): Promise<Session>;
  /** A workspace API call as `session` (or anonymous): status, body and headers. */
  call(
    session: Session | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers; text: string }>;
}

export const PASSWORD = 'senha-de-teste-123';

export async function startSalesServer(
  provider: DbProvider,
  env: Record<string, string> = {},
  options: { webDist?: string; users?: Array<[string, Role]> } = {},
): Promise<SalesServer> {
  const clock = new TestClock();
  const server = await startTestServer(
    provider,
    { SALES_PASSWORD_COST: '10', ...env },
    { now: () => clock.now, webDist: options.webDist },
  );
  const users: SalesServer['users'] = {};
  for (const [username, role] of options.users ?? [
    ['ana', 'admin'],
    ['bruno', 'sales'],
    ['carla', 'sales'],
  ]) {
    await server.sales.users.create(
      { username, role, password: PASSWORD },
      { type: 'system', name: 'test' },
    );
    users[username] = { password: PASSWORD };
  }
  const call: SalesServer['call'] = async (session, method, path, body, headers = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: Json = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  return {
    ...server,
    clock,
    users,
    call,
    async login(username, password) {
      const res = await fetch(`${server.url}/sales/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: password ?? users[username]?.password }),
      });
      const body = (await res.json()) as { csrfToken?: string; message?: string };
      if (res.status !== 200 || !body.csrfToken)
        throw new Error(`login ${username}: ${res.status} ${body.message}`);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const session = { cookie, csrf: body.csrfToken, username };
      users[username] = { password: password ?? PASSWORD, session };
      return session;
    },
  };
}

/** A box near HOME with `ports` free drop ports, known to the viability index. */
export async function boxNearHome(
  server: TestServer,
  name: string,
  metresEast: number,
  ports = 8,
): Promise<{ boxId: string; splitterIds: string[] }> {
  const box = await createBox(server.ctx.db, {
    name,
    lat: HOME.lat,
    lng: HOME.lng + metresEast / (111_320 * Math.cos((HOME.lat * Math.PI) / 180)),
    splitters: [{ ratio: ports }],
  });
  await server.ctx.network.boxesChanged([box.boxId]);
  return box;
}

/** A reservation at the nearest box through the OZmap-compatible API, as 5Hub makes one. */
export async function reserveThroughApi(
  server: TestServer,
  o: { code: string; name: string; phone?: string; document?: string },
): Promise<Json> {
  const res = await fetch(`${server.url}/api/v2/properties`, {
    method: 'POST',
    headers: { authorization: server.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      coords: [HOME.lng, HOME.lat],
      address: 'Rua das Flores, 100 - Zona 07, Maringá - PR',
      auto_connect: true,
      client: {
        code: o.code,
        name: o.name,
        implanted: false,
        phone: o.phone ?? '5544999990001',
        document: o.document ?? '52998224725',
        email: 'cliente@example.com',
      },
    }),
  });
  const body = await res.json();
  if (res.status !== 201)
    throw new Error(`reservation ${o.code}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export const quietLogger = createLogger('silent');
