// The production HTTP surface on the real server: structured readiness, Prometheus metrics behind
// a token, compression, security headers, and the pages still working in Chromium under them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { readMigrations } from '../../src/ozmap-model/db/migrate.js';
import { startServer } from '../../src/server.js';
import { HOME, ozlocUrl, seedIspbox, type IspboxNetwork } from '../ispbox/ozloc-fixture.js';
import { buildWebInto } from '../support/build-web.js';
import { launchChromium } from '../support/chromium.js';
import { createBox } from '../support/network-fixture.js';
import type { Readiness } from '../../src/http/readiness.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

type ReadyBody = Readiness & { networkSync: { version: string; waitingFor: number } };

const TOKEN = 'metrics-token-0123456789';

/** Raw bytes on the wire (node's fetch would decode them). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `name{a="b"} 3` lines of the Prometheus text format → value by series. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

describe('production HTTP surface', () => {
  let dist: string;
  let server: TestServer;
  let net: IspboxNetwork;
  let browser: Browser;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'alcance-web-'));
    await buildWebInto(dist);
    server = await startTestServer('sqlite', { METRICS_TOKEN: TOKEN }, { webDist: dist });
    net = await seedIspbox(server);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('GET /ready reports the database, Redis, each channel, the migration level and the sync', async () => {
    const res = await fetch(`${server.url}/ready`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as ReadyBody;
    const migrations = readMigrations('sqlite');
    expect(body).toMatchObject({
      status: 'ready',
      database: {
        status: 'up',
        provider: 'sqlite',
        migrations: { latest: migrations.at(-1)!.name, count: migrations.length },
      },
      redis: { status: 'disabled' },
      channels: {
        web: { status: 'up' },
        telegram: { status: 'disabled' },
        whatsapp: { status: 'disabled' },
      },
      networkSync: { waitingFor: expect.any(Number) as number },
    });
    expect(body.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.networkSync.version).toMatch(/^\d+$/);
  });

  it('GET /metrics needs the token and serves Prometheus text with the service metrics', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      message: 'authorization: a valid "Bearer <METRICS_TOKEN>" is required',
    });

    // Traffic to be seen: viability queries, a reservation, a prospect, a 404.
    for (let i = 0; i < 3; i++) {
      const v = await api(
        server,
        'GET',
        `/api/v2/ftth-viability/radius?lat=${HOME.lat}&lng=${HOME.lng}`,
      );
      expect(v.status).toBe(200);
    }
    await server.ctx.reservations.reserve({
      clientCode: 'MET-1',
      client: { name: 'Cliente Métrica' },
      point: HOME,
      target: { kind: 'nearest' },
      reservedBy: 'conecteai',
      expiresInDays: 7,
    });
    const prospect = await api(server, 'POST', '/api/v2/prospects', {
      name: 'Lead sem cobertura',
      phone: '44999990000',
      tags: [],
    });
    expect(prospect.status).toBeLessThan(300);
    await fetch(`${server.url}/nada-aqui`);
    expect(await server.ctx.jobs.runNow('reservation-expiry')).toBe('ran');

    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const m = parseMetrics(text);
    const route = '/api/v2/ftth-viability/radius';
    expect(
      m.get(
        `alcance_http_request_duration_seconds_count{route="${route}",method="GET",status="2xx"}`,
      ),
    ).toBe(3);
    expect(
      m.get(
        'alcance_http_request_duration_seconds_count{route="unmatched",method="GET",status="4xx"}',
      ),
    ).toBe(1);
    // Concrete paths never become labels (one series per route pattern).
    expect(text).not.toContain('nada-aqui');
    expect(m.get('alcance_viability_query_duration_seconds_count{kind="radius"}')).toBe(3);
    expect(m.get('alcance_viability_query_duration_seconds_count{kind="nearest"}')).toBe(1);
    expect(m.get('alcance_reservations_total{source="conecteai",outcome="created"}')).toBe(1);
    expect(m.get('alcance_reservations_active{source="conecteai"}')).toBe(1);
    expect([...m.keys()].some((k) => k.startsWith('alcance_prospects{'))).toBe(true);
    expect(m.get('alcance_channel_up{channel="web"}')).toBe(1);
    expect(m.has('alcance_network_sync_lag_seconds')).toBe(true);
    expect(m.get('alcance_job_runs_total{job="reservation-expiry",result="succeeded"}')).toBe(1);
    expect(m.get('alcance_job_duration_seconds_count{job="reservation-expiry"}')).toBe(1);
    const lastSuccess = m.get(
      'alcance_job_last_success_timestamp_seconds{job="reservation-expiry"}',
    );
    expect(lastSuccess).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(m.has('process_resident_memory_bytes')).toBe(true);
  });

  it('compresses what is worth it: the FindME/OZloc map bundle goes over gzip at a third of its size', async () => {
    const bundle = readdirSync(join(dist, 'assets')).find((f) => /^map-.*\.js$/.test(f))!;
    const size = readFileSync(join(dist, 'assets', bundle)).length;
    const url = `${server.url}/ozloc/assets/${bundle}`;
    const gz = await rawGet(url, { 'accept-encoding': 'gzip, br' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toMatch(/gzip|br/);
    expect(gz.bytes).toBeLessThan(size * 0.4);
    const plain = await rawGet(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes).toBe(size);
    // Tiny answers are not worth compressing.
    const health = await rawGet(`${server.url}/ready`, { 'accept-encoding': 'gzip' });
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('sets security headers on API answers; OZloc alone may be framed', async () => {
    const res = await fetch(`${server.url}/api/v2/boxes?limit=1`, {
      headers: { authorization: server.apiKey },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();

    const page = await fetch(
      ozlocUrl(server.url, {
        authorization: net.key,
        lat: String(HOME.lat),
        lng: String(HOME.lng),
        cod_cli: 'HDR-1',
      }),
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('content-security-policy')).not.toContain('frame-ancestors');
    const chat = await fetch(`${server.url}/chat`);
    expect(chat.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    expect(chat.headers.get('x-frame-options')).toBe('DENY');
  });

  it('the web chat page runs under its CSP and the global headers in Chromium', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await page.goto(`${server.url}/chat`);
    await page.locator('#text').fill('oi');
    await page.locator('#text').press('Enter');
    await page.locator('.msg.bot').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.msg.bot').count()).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('OZloc works inside another origin’s frame (as Ispbox shows it) under the headers', async () => {
    // A page on another origin (localhost vs 127.0.0.1) that frames OZloc, like Ispbox's screen.
    const src = ozlocUrl(server.url, {
      authorization: net.key,
      lat: String(HOME.lat),
      lng: String(HOME.lng),
      cod_cli: 'FRAME-1',
    });
    const host = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><iframe id="f" src="${src}" width="390" height="800"></iframe>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const port = (host.address() as AddressInfo).port;
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      await page.goto(`http://localhost:${port}/`);
      const frame = page.frameLocator('#f');
      await frame.locator('#boxes').getByRole('button').first().waitFor({ timeout: 15_000 });
      expect(
        errors.filter((e) => /Content Security Policy|X-Frame-Options|frame-ancestors/i.test(e)),
      ).toEqual([]);
      await context.close();
    } finally {
      await new Promise((resolve) => host.close(resolve));
    }
  });
});

describe('Redis down at start', () => {
  it('the instance still starts, says why in the log, and /ready is 503 naming Redis', async () => {
    // A port nothing listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'alcance-noredis-'));
    const config = loadConfig({
      DATABASE_URL: `file:${join(dir, 'a.db')}`,
      REDIS_URL: `redis://127.0.0.1:${deadPort}`,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_NETWORK: 'off',
    });
    const started = Date.now();
    const running = await startServer(config, logger, { jobs: false });
    try {
      expect(Date.now() - started).toBeLessThan(15_000);
      await createBox(running.ctx.db, { name: 'CTO-SEM-REDIS' });
      const res = await fetch(`${running.url}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as ReadyBody;
      expect(body).toMatchObject({
        status: 'unavailable',
        database: { status: 'up' },
        redis: { status: 'down' },
      });
      expect(body.redis.error).toMatch(/redis connection is/);
      expect(lines.join('')).toContain('redis is unreachable');
      // Viability needs no Redis: it answers from the index and the change log.
      await running.ctx.network.boxesChanged([]);
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
