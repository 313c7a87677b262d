import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Router } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';

function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

function config() {
  const dir = mkdtempSync(join(tmpdir(), 'alcance-ops-'));
  return loadConfig({
    DATABASE_URL: `file:${join(dir, 'ops.db')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_NETWORK: 'off',
  });
}

describe('operations', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('answers /health and /ready, and tags each request with an id it logs', async () => {
    const { lines, logger } = captureLogs();
    const s = await startServer(config(), logger, { jobs: false });
    servers.push(s);
    const health = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'probe-1' } });
    expect(await health.json()).toEqual({ status: 'ok' });
    // Behind the same middleware as every route: security headers, an id, an access line.
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-request-id')).toBe('probe-1');
    const ready = await fetch(`${s.url}/ready`, { headers: { 'x-request-id': 'abc-123' } });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBe('abc-123');
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      database: { status: 'up', provider: 'sqlite' },
      redis: { status: 'disabled' },
      channels: { web: { status: 'up' }, telegram: { status: 'disabled' } },
    });
    const logged = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.path === '/ready');
    expect(logged).toMatchObject({ requestId: 'abc-123', status: 200, method: 'GET' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ requestId: 'probe-1', path: '/health', status: 200 }),
    );
    const generated = await fetch(`${s.url}/ready`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not ready when the database is gone', async () => {
    const s = await startServer(config(), captureLogs().logger, { jobs: false });
    servers.push(s);
    // Stand in for a database that stopped answering.
    const db = s.ctx.db as unknown as { $queryRawUnsafe: () => Promise<never> };
    db.$queryRawUnsafe = () => Promise.reject(new Error('database unreachable'));
    const ready = await fetch(`${s.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      database: { status: 'down', error: 'database unreachable' },
    });
  });

  it('answers unknown routes, bad JSON and oversized bodies with a 4xx message', async () => {
    const s = await startServer(config(), captureLogs().logger, { jobs: false });
    servers.push(s);
    const missing = await fetch(`${s.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'route GET /nope not found' });
    const post = (body: string) =>
      fetch(`${s.url}/api/v2/boxes`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const bad = await post('{"name":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'request body is not valid JSON' });
    const big = await post(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(/larger than/);
  });

  it('finishes in-flight requests on close, then stops accepting', async () => {
    const slow = Router();
    let release = () => {};
    slow.get('/slow', async (_req, res) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      res.json({ done: true });
    });
    const s = await startServer(config(), captureLogs().logger, {
      jobs: false,
      routers: [{ path: '/t', router: slow }],
    });
    const inFlight = fetch(`${s.url}/t/slow`).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as unknown,
    }));
    await new Promise((r) => setTimeout(r, 100));
    const closing = s.close();
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
    release();
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    await closing;
  });
});
