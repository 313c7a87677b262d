/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON; the assertions check them */
import { connect } from 'node:net';
import { Router } from 'express';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { FindMeLinks, MemoryLinkStore } from '../../src/findme/links.js';
import { TooManyRequestsError } from '../../src/errors.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { startServer } from '../../src/server.js';
import { captureLogger } from '../bot/capture-logger.js';
import { freshDatabase, testProviders } from '../support/db.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

/** Sends raw bytes and returns the raw answer (for what fetch cannot send). */
function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe.each(testProviders())('HTTP edges on %s', (provider) => {
  const servers: TestServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));
  const start = async (env: Record<string, string> = {}) => {
    const s = await startTestServer(provider, env);
    servers.push(s);
    return s;
  };

  it('refuses bodies that are not JSON with 415, creating and changing nothing', async () => {
    const s = await start();
    const post = await fetch(`${s.url}/api/v2/prospects`, {
      method: 'POST',
      headers: { authorization: s.apiKey, 'content-type': 'text/plain' },
      body: '{"name":"x"}',
    });
    expect(post.status).toBe(415);
    expect(((await post.json()) as { message: string }).message).toMatch(/application\/json/);
    const none = await fetch(`${s.url}/api/v2/prospects`, {
      method: 'POST',
      headers: { authorization: s.apiKey },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(none.status).toBe(415);
    expect(await s.ctx.db.prospect.count()).toBe(0);
    const project = await api(s, 'POST', '/api/v2/projects', { name: 'P' });
    const patch = await fetch(`${s.url}/api/v2/projects/${project.body.id}`, {
      method: 'PATCH',
      headers: { authorization: s.apiKey, 'content-type': 'text/plain' },
      body: 'name=changed',
    });
    expect(patch.status).toBe(415);
    expect((await api(s, 'GET', `/api/v2/projects/${project.body.id}`)).body.name).toBe('P');
  });

  it('applies the web chat 16 KB body limit and answers 431 with a JSON message', async () => {
    const s = await start();
    const chat = await fetch(`${s.url}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'session-123', text: 'oi', pad: 'x'.repeat(20_000) }),
    });
    expect(chat.status).toBe(413);
    const answer = await raw(
      s.url,
      `GET /api/v2/boxes HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { message: string };
    expect(body.message).toMatch(/larger than the 16 KB allowed/);
  });

  it('limits requests per API key and wrong keys per address, with 429, Retry-After and a message', async () => {
    const s = await start({
      RATE_LIMIT_API_PER_KEY_PER_MINUTE: '5',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '3',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api(s, 'GET', '/api/v2/tags')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await fetch(`${s.url}/api/v2/tags`, { headers: { authorization: s.apiKey } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toMatch(
      /too many requests for this API key: try again in \d+ s/,
    );
    // Another key is not held back by the first one's limit...
    const { key } = await createApiKey(s.ctx.db, 'other');
    expect((await api({ url: s.url, apiKey: key }, 'GET', '/api/v2/tags')).status).toBe(200);
    // ...but guessing keys is: after 3 failures, even a right key from that address waits.
    for (let i = 0; i < 3; i++) {
      expect(
        (await api({ url: s.url, apiKey: `alc_guess${i}` }, 'GET', '/api/v2/tags')).status,
      ).toBe(401);
    }
    const blocked = await api({ url: s.url, apiKey: key }, 'GET', '/api/v2/tags');
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/wrong API key/);
  });

  it('limits the public surfaces per address in pt-BR: a page for browsers, JSON for calls', async () => {
    const s = await start({
      RATE_LIMIT_PUBLIC_PER_IP_PER_MINUTE: '3',
      RATE_LIMIT_WEB_CHAT_PER_SESSION_PER_MINUTE: '2',
    });
    const send = (sessionId: string) =>
      fetch(`${s.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, text: 'oi' }),
      });
    expect((await send('session-aaa')).status).toBe(200);
    expect((await send('session-aaa')).status).toBe(200);
    const perSession = await send('session-aaa');
    expect(perSession.status).toBe(429);
    expect(((await perSession.json()) as { message: string }).message).toMatch(
      /^Muitas solicitações seguidas\. Espere \d+ s/,
    );
    // The address has now used its 3: every public surface refuses it, a page as a page.
    const page = await fetch(`${s.url}/findme/anything`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await page.text()).toContain('Muitas solicitações');
    const ozloc = await fetch(`${s.url}/ozloc/api/boxes`, {
      headers: { accept: 'application/json' },
    });
    expect(ozloc.status).toBe(429);
    // The API has limits of its own, and viability keeps answering.
    expect(
      (await api(s, 'GET', '/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386')).status,
    ).toBe(200);
  });

  it('bounds the shutdown: a request still running at SHUTDOWN_TIMEOUT_MS is cut, then everything closes', async () => {
    const database = await freshDatabase(provider);
    const { logger, lines } = captureLogger('debug');
    const hang = Router();
    const noop = () => {};
    let release = noop;
    let reachedDb = false;
    hang.get('/hang', async (_req, res) => {
      await new Promise<void>((resolve) => (release = resolve));
      // What a handler does after the database closed: it fails, quietly.
      reachedDb = true;
      await running.ctx.db.box.count();
      res.json({ late: true });
    });
    const running = await startServer(
      loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO_NETWORK: 'off',
        SHUTDOWN_TIMEOUT_MS: '300',
      }),
      logger,
      { jobs: false, routers: [{ path: '/t', router: hang }] },
    );
    const pending = fetch(`${running.url}/t/hang`).then(
      (r) => r.status,
      () => 'cut' as const,
    );
    await vi.waitFor(() => expect(release).not.toBe(noop));
    await running.close();
    expect(await pending).toBe('cut');
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logged.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutdown deadline: aborting requests', 'stopped']),
    );
    release();
    await vi.waitFor(() => expect(reachedDb).toBe(true));
    await new Promise((r) => setTimeout(r, 100));
    // The late handler's failure is no error of the service.
    expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
    await database.drop();
  });
});

describe('rate limiter', () => {
  afterEach(() => vi.useRealTimers());

  it('counts per key in fixed windows and tells how long to wait', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const limiter = new RateLimiter({ name: 't', rule: { points: 2, seconds: 60 } });
    expect(await limiter.take('a')).toBeUndefined();
    expect(await limiter.take('a')).toBeUndefined();
    expect(await limiter.take('a')).toBe(60);
    expect(await limiter.take('b')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(45_000);
    expect(await limiter.take('a')).toBe(15);
    await vi.advanceTimersByTimeAsync(15_001);
    expect(await limiter.take('a')).toBeUndefined();
  });

  const redisUrl = process.env.TEST_REDIS_URL;
  it.skipIf(!redisUrl)('shares one limit across instances through Redis', async () => {
    const url = redisUrl!;
    const { Redis } = await import('ioredis');
    const a = new Redis(url);
    const b = new Redis(url);
    // Until a client is ready, its limiter counts in memory (the insurance limiter).
    await Promise.all([a.ping(), b.ping()]);
    const name = `shared-${Date.now()}`;
    const one = new RateLimiter({ name, rule: { points: 3, seconds: 60 }, redis: a });
    const two = new RateLimiter({ name, rule: { points: 3, seconds: 60 }, redis: b });
    expect(await one.take('ip')).toBeUndefined();
    expect(await two.take('ip')).toBeUndefined();
    expect(await one.take('ip')).toBeUndefined();
    expect(await two.take('ip')).toBeGreaterThan(0);
    a.disconnect();
    b.disconnect();
  });

  it('limits how many FindME links one chat can mint', async () => {
    const links = new FindMeLinks({
      secret: 'x'.repeat(32),
      publicUrl: 'http://127.0.0.1',
      ttlMinutes: 30,
      store: new MemoryLinkStore(),
      limiter: new RateLimiter({ name: 'links', rule: { points: 2, seconds: 3600 } }),
    });
    await links.create('web', 'chat-1');
    await links.create('web', 'chat-1');
    await expect(links.create('web', 'chat-1')).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(links.create('web', 'chat-2')).resolves.toMatchObject({
      linkId: expect.any(String),
    });
  });
});
