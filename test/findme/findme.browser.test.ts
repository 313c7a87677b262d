// The FindME page end to end: the page built by `vite build`, served by findmeRouter in the app
// shell, driven in Debian's Chromium on a phone-sized viewport, with the simulated geocoder and a
// local tile server. The test sees the conversation continue with the coordinates of the pin.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GeoPoint } from '../../src/bot/conversation/messages.js';
import { buildWebInto } from '../support/build-web.js';
import { launchChromium, worldPixel } from '../support/chromium.js';
import {
  startFindMeHarness,
  type FindMeHarness,
  type HarnessOptions,
} from '../support/findme-harness.js';
import { startTileServer, type TileServer } from '../support/fake-tiles.js';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'pt-BR',
};
const ZOOM = 18;
const AVENIDA_BRASIL = 'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000';

let dist: string;
let tiles: TileServer;
let browser: Browser;
let h: FindMeHarness | undefined;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'findme-web-'));
  await buildWebInto(dist);
  tiles = await startTileServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await tiles?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function open(
  options: HarnessOptions & { context?: BrowserContextOptions } = {},
): Promise<{ x: FindMeHarness; page: Page; url: string; chatId: string }> {
  h = await startFindMeHarness({
    webDist: dist,
    map: { tileUrl: tiles.streetTemplate, satelliteTileUrl: tiles.satelliteTemplate },
    ...options,
  });
  const context = await browser.newContext({ ...PHONE, ...options.context });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('close', () => expect(errors).toEqual([]));
  const chatId = '5544998765432@s.whatsapp.net';
  const { url } = await h.links.create('whatsapp', chatId);
  await page.goto(url);
  return { x: h, page, url, chatId };
}

/** Pixel distance at ZOOM between two points, as [dx, dy]. */
function pixelDelta(from: GeoPoint, to: GeoPoint): [number, number] {
  const a = worldPixel(from, ZOOM);
  const b = worldPixel(to, ZOOM);
  return [b.x - a.x, b.y - a.y];
}

async function dragPin(page: Page, dx: number, dy: number): Promise<void> {
  const box = await page.locator('.pin').boundingBox();
  if (!box) throw new Error('pin not on the page');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await page.mouse.up();
}

describe('FindME page in Chromium (phone viewport)', () => {
  it('search → pick → drag the pin → confirm: the conversation continues with those coordinates', async () => {
    const { x, page, url, chatId } = await open();

    // No permission for GPS: the page says so and offers the other ways.
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/Sem acesso à sua localização.*busque seu endereço/);
    await expect.poll(() => tiles.requests.some((r) => r.startsWith('/satellite/'))).toBe(true);

    await page.getByLabel('Buscar endereço').fill('Avenida Brasil Maringá');
    await page.keyboard.press('Enter');
    const suggestion = page.getByRole('button', { name: AVENIDA_BRASIL });
    await suggestion.waitFor();
    await suggestion.click();
    await expect.poll(() => page.locator('#address').textContent()).toBe(AVENIDA_BRASIL);

    const searchPoint = { lat: -23.4254, lng: -51.9375 };
    await dragPin(page, 60, -45);
    // After the drag the page looks up the address of the new point through our server.
    await expect.poll(() => x.fake.requests.some((r) => r.path === '/reverse')).toBe(true);
    await expect.poll(() => page.locator('#address').textContent()).toBe(AVENIDA_BRASIL);
    await page.screenshot({
      path: join(process.env.FINDME_SHOT_DIR ?? dist, 'before-confirm.png'),
    });

    const posted = page.waitForRequest((r) => r.url().endsWith('/findme/api/confirm'));
    await page.getByRole('button', { name: 'Confirmar localização' }).click();
    const body = JSON.parse((await posted).postData() ?? '{}') as GeoPoint;
    await page.getByRole('heading', { name: 'Pronto! Volte para a conversa' }).waitFor();

    // The point handed back is exactly what the page sent, 60 px right and 45 px up of the result.
    expect(x.confirmed).toHaveLength(1);
    const point = x.confirmed[0]!.point;
    expect(point).toEqual({ lat: body.lat, lng: body.lng });
    const [dx, dy] = pixelDelta(searchPoint, point);
    expect(Math.abs(dx - 60)).toBeLessThan(1.5);
    expect(Math.abs(dy + 45)).toBeLessThan(1.5);

    // ...and the conversation continued in the customer's WhatsApp chat, as a shared location.
    expect(x.inbound).toEqual([
      expect.objectContaining({ kind: 'findme-location', channel: 'whatsapp', chatId, point }),
    ]);
    expect(x.sent).toEqual([
      {
        channel: 'whatsapp',
        chatId,
        messages: [{ kind: 'text', text: `Recebi sua localização: ${point.lat}, ${point.lng}` }],
      },
    ]);
    expect(await page.locator('#done-address').textContent()).toBe(AVENIDA_BRASIL);
    expect(await page.locator('#done-coords').textContent()).toBe(
      `Coordenadas: ${point.lat.toFixed(6)}, ${point.lng.toFixed(6)}`,
    );

    // The search went out Brazil-only, and the link cannot be used again.
    const search = x.fake.requests.find((r) => r.path === '/search');
    expect(search?.params.get('countrycodes')).toBe('br');
    await page.goto(url);
    await page.getByRole('heading', { name: 'Localização já confirmada' }).waitFor();
    await page.context().close();
  });

  it('uses the GPS position when allowed, and the pin moves with the arrow keys', async () => {
    const gps = { lat: -23.4209, lng: -51.9339 };
    const { x, page } = await open({
      context: {
        geolocation: { latitude: gps.lat, longitude: gps.lng, accuracy: 8 },
        permissions: ['geolocation'],
      },
    });
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Achamos você/);
    await expect
      .poll(() => page.locator('#address').textContent())
      .toBe('Avenida Herval, 800 - Zona 01, Maringá - PR, 87013-110');

    await page.locator('.pin').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await page.getByRole('button', { name: 'Confirmar localização' }).click();
    await page.getByRole('heading', { name: 'Pronto! Volte para a conversa' }).waitFor();

    const [dx, dy] = pixelDelta(gps, x.confirmed[0]!.point);
    expect(Math.abs(dx - 16)).toBeLessThan(0.5);
    expect(Math.abs(dy - 1)).toBeLessThan(0.5);
    await page.context().close();
  });

  it('still works with the geocoder down: a tap places the pin, and the preview shows', async () => {
    const { x, page } = await open({ previewViability: () => Promise.resolve({ viable: false }) });
    x.fake.mode = 'down';
    await page.getByLabel('Buscar endereço').fill('Avenida Herval');
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/busca de endereços está fora do ar/);

    const map = await page.locator('#map').boundingBox();
    await page.mouse.click(map!.x + map!.width / 2, map!.y + map!.height / 2);
    await expect.poll(() => page.locator('#address').textContent()).toMatch(/não encontrado/);
    await page.getByRole('button', { name: 'Confirmar localização' }).click();
    await page.getByRole('heading', { name: 'Pronto! Volte para a conversa' }).waitFor();
    expect(await page.locator('#done-viability').textContent()).toMatch(/Ainda não temos fibra/);
    // The map opened on the configured centre, so the tap lands there.
    const [dx, dy] = pixelDelta({ lat: -23.4253, lng: -51.9386 }, x.confirmed[0]!.point);
    expect(Math.hypot(dx, dy) / 2 ** (ZOOM - 14)).toBeLessThan(2);
    await page.context().close();
  });

  it('shows the friendly page for an expired link', async () => {
    const { x, page, url } = await open();
    x.clock.now = new Date(x.clock.now.getTime() + 31 * 60_000);
    await page.goto(url);
    await page.getByRole('heading', { name: 'Este link expirou' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('conversa no WhatsApp');
    await page.context().close();
  });
});
