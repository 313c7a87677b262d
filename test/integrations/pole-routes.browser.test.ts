/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// Pole mode on the two map pages, end to end in Chromium on a phone viewport: the OZloc page
// (Ispbox 2, profile in pole mode) lists boxes by drop length and draws the chosen box's route
// along the poles; the FindME page (chatbot, profile in pole mode) draws the drop's way to the
// nearest box after the customer confirms. The whole server, real viability, pages built by vite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { buildWebInto } from '../support/build-web.js';
import { launchChromium, screenshotDir } from '../support/chromium.js';
import { startTileServer, type TileServer } from '../support/fake-tiles.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';
import { create } from '../ozmap-api/fixtures.js';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'pt-BR',
};
const DOCS = screenshotDir();
const LAT_S = -23.4254;
const LNG0 = -51.9375;
const at = (north: number, east: number) => ({
  lat: LAT_S + north / 111_195,
  lng: LNG0 + east / (111_195 * Math.cos((LAT_S * Math.PI) / 180)),
});
// The customer 20 m south of a street with a pole every 40 m; CTO-POSTE on the 6th pole; CTO-RIO
// 90 m north across a stream, on a pole no span reaches.
const HOME = at(-20, 0);

let dist: string;
let tiles: TileServer;
let browser: Browser;
let server: TestServer;
let ispboxKey: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'pole-pages-'));
  await buildWebInto(dist);
  tiles = await startTileServer();
  browser = await launchChromium();
  server = await startTestServer(
    'sqlite',
    { MAP_TILE_URL: tiles.streetTemplate, MAP_SATELLITE_TILE_URL: tiles.satelliteTemplate },
    { webDist: dist },
  );
  const project = (await create(server, 'projects', { name: 'Maringá' })).id;
  const type = await create(server, 'splitter-types', {
    code: '1x8',
    isDrop: true,
    ratio: { input: 1, output: 8 },
  });
  const poles: string[] = [];
  for (let i = 0; i < 8; i++) {
    const p = at(0, i * 40);
    poles.push((await create(server, 'poles', { project, coords: [p.lng, p.lat] })).id);
    if (i > 0) await create(server, 'spans', { poles: [poles[i - 1], poles[i]] });
  }
  const island = at(90, 10);
  const riverPole = (await create(server, 'poles', { project, coords: [island.lng, island.lat] }))
    .id;
  for (const [name, pole, spot] of [
    ['CTO-POSTE', poles[5]!, at(1, 200)],
    ['CTO-RIO', riverPole, island],
  ] as const) {
    const box = await create(server, 'boxes', {
      project,
      name,
      pole,
      coords: [spot.lng, spot.lat],
      implanted: true,
      hierarchyLevel: 0,
    });
    await create(server, 'splitters', { parent: box.id, splitterType: type.id });
  }
  await server.ctx.integrations.create({ name: 'ispbox', kind: 'ispbox', viabilityMode: 'poles' });
  await server.ctx.integrations.create({
    name: 'chatbot',
    kind: 'generic',
    viabilityMode: 'poles',
  });
  ispboxKey = (await createApiKey(server.ctx.db, 'Ispbox', 'ispbox')).key;
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
  await tiles?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('close', () => expect(errors).toEqual([]));
  return page;
}

/** The drawn route's on-screen points: Leaflet draws it as one SVG path. */
async function routeBox(page: Page) {
  const route = page.locator('[data-testid="drop-route"]');
  await route.waitFor({ state: 'attached' });
  return route.boundingBox();
}

describe('pole mode on the map pages (Chromium, phone viewport)', () => {
  it("OZloc lists boxes by drop length and draws the chosen one's route along the poles", async () => {
    const page = await newPage();
    const params = new URLSearchParams({
      authorization: ispboxKey,
      lat: String(HOME.lat),
      lng: String(HOME.lng),
      cod_cli: 'ISP-POSTE-1',
      client_name: 'João Pereira',
    });
    await page.goto(`${server.url}/ozloc?${params.toString()}`);
    const item = page.locator('#boxes').getByRole('button', { name: /^Caixa CTO-POSTE,/ });
    await item.waitFor();
    // Only the box a drop can reach along the poles; CTO-RIO (90 m away) is across the stream.
    expect(await page.locator('#boxes li').allInnerTexts()).toEqual([
      expect.stringMatching(
        /^CTO-POSTE\s+2\d\d m pelos postes \(2\d\d m em linha reta\)\s+8 portas livres$/,
      ),
    ]);
    expect(await page.locator('#status').textContent()).toBe(
      '1 caixa com porta livre pelos postes, com drop de até 500 m. Toque nela para reservar.',
    );
    expect(await page.locator('[data-testid="drop-route"]').count()).toBe(0);

    await item.click();
    const dialog = page.getByRole('dialog', { name: 'Confirmar reserva' });
    await dialog.waitFor();
    expect(await page.locator('#c-box').textContent()).toMatch(
      /^CTO-POSTE \(2\d\d m pelos postes \(2\d\d m em linha reta\), 8 portas livres\)$/,
    );
    // The route: a line from the client's pin along the street to the box, through its poles.
    const drawn = await routeBox(page);
    expect(drawn!.width).toBeGreaterThan(drawn!.height * 3); // along the east-west street
    expect(await page.locator('.leaflet-overlay-pane path').count()).toBeGreaterThanOrEqual(6);
    await dialog.getByRole('button', { name: 'Voltar' }).click();
    await page.screenshot({ path: join(DOCS, 'ozloc-poles-phone.png') });

    await item.click();
    await dialog.getByRole('button', { name: 'Confirmar reserva' }).click();
    await page.getByRole('heading', { name: 'Reserva criada' }).waitFor();
    const client = await server.ctx.db.ftthClient.findUniqueOrThrow({
      where: { code: 'ISP-POSTE-1' },
      include: { property: { include: { box: true } } },
    });
    expect(client.property?.box?.name).toBe('CTO-POSTE');
    await page.context().close();
  });

  it('FindME draws the way to the nearest box after the customer confirms', async () => {
    const chat = async (body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: 'pole-findme-1', ...body }),
      });
      return ((await res.json()) as { replies: Json[] }).replies;
    };
    await chat({ text: 'oi' });
    const link = (await chat({ text: '1' })).find((r) => r.kind === 'request-location')
      .findmeUrl as string;
    const token = link.split('/findme/')[1]!;
    const page = await newPage({
      geolocation: { latitude: HOME.lat, longitude: HOME.lng, accuracy: 5 },
      permissions: ['geolocation'],
    });
    await page.goto(`${server.url}/findme/${token}`);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Achamos você/);
    await page.getByRole('button', { name: 'Confirmar localização' }).click();
    await page.getByRole('heading', { name: 'Pronto! Volte para a conversa' }).waitFor();
    expect(await page.locator('#done-viability').textContent()).toMatch(/nossa fibra chega/);
    expect(await page.locator('#done-route').textContent()).toMatch(
      /^O cabo chega pelos postes até a caixa mais próxima: cerca de 2\d\d m\.$/,
    );
    const drawn = await routeBox(page);
    expect(drawn!.width).toBeGreaterThan(drawn!.height * 3);
    // In view above the answer, on the phone's screen.
    expect(drawn!.y).toBeGreaterThanOrEqual(0);
    expect(drawn!.y + drawn!.height).toBeLessThanOrEqual(844);
    expect(drawn!.x).toBeGreaterThanOrEqual(0);
    expect(drawn!.x + drawn!.width).toBeLessThanOrEqual(390);
    // No box name or id reaches the customer's page.
    expect(await page.content()).not.toMatch(/CTO-POSTE/);
    await page.screenshot({ path: join(DOCS, 'findme-poles-phone.png') });
    await page.context().close();
  });
});
