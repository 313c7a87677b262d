// The OZloc page end to end, as Ispbox 2 uses it: the whole server (startTestServer) with the page
// built by `vite build`, Debian's Chromium on a phone-sized viewport, a local tile server and the
// simulated geocoder. The test picks a box, confirms, and finds the reservation in the database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebInto } from '../support/build-web.js';
import { launchChromium, screenshotDir } from '../support/chromium.js';
import { startFakeGeocoder, type FakeGeocoder } from '../support/fake-geocoder.js';
import { startTileServer, type TileServer } from '../support/fake-tiles.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HOME, ozlocUrl, seedIspbox, type IspboxNetwork } from './ozloc-fixture.js';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'pt-BR',
};
const DOCS = screenshotDir();
const ADDRESS = 'Avenida Brasil, 1500 - Zona 01, Maringá - PR';

let dist: string;
let tiles: TileServer;
let geocoder: FakeGeocoder;
let browser: Browser;
let server: TestServer;
let net: IspboxNetwork;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'ozloc-web-'));
  await buildWebInto(dist);
  tiles = await startTileServer();
  geocoder = await startFakeGeocoder();
  browser = await launchChromium();
  server = await startTestServer(
    'sqlite',
    {
      GEOCODER_URL: geocoder.url,
      GEOCODER_MIN_INTERVAL_MS: '0',
      MAP_TILE_URL: tiles.streetTemplate,
      MAP_SATELLITE_TILE_URL: tiles.satelliteTemplate,
    },
    { webDist: dist },
  );
  net = await seedIspbox(server);
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
  await tiles?.close();
  await geocoder?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function openPage(params: Record<string, string>): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('close', () => expect(errors).toEqual([]));
  await page.goto(ozlocUrl(server.url, { authorization: net.key, ...params }));
  return page;
}

const boxButton = (page: Page, name: string) =>
  page.locator('#boxes').getByRole('button', { name: new RegExp(`^Caixa ${name},`) });

describe('OZloc page in Chromium (phone viewport)', () => {
  it('Ispbox opens it with coordinates: pick a box, confirm, see box, splitter and port', async () => {
    const page = await openPage({
      lat: String(HOME.lat),
      lng: String(HOME.lng),
      cod_cli: 'ISP-1',
      client_name: 'Maria Aparecida Souza',
      address: ADDRESS,
    });

    // The viable boxes, nearest first, with their free ports; the same boxes on the map.
    await boxButton(page, 'CTO-A').waitFor();
    expect(await page.locator('#boxes li').allInnerTexts()).toEqual([
      expect.stringMatching(/^CTO-A\s+40 m\s+6 portas livres$/),
      expect.stringMatching(/^CTO-UMA\s+100 m\s+1 porta livre$/),
      expect.stringMatching(/^CTO-B\s+150 m\s+4 portas livres$/),
    ]);
    expect(await page.locator('.box-marker').count()).toBe(3);
    expect(await page.locator('#status').textContent()).toBe(
      '3 caixas com portas livres em até 200 m. Toque em uma para reservar.',
    );
    await expect.poll(() => tiles.requests.some((r) => r.startsWith('/satellite/'))).toBe(true);
    // The key and the client's data left the address bar as soon as the page loaded.
    expect(page.url()).toBe(`${server.url}/ozloc`);
    expect(await page.locator('#client-code').textContent()).toBe('Cód. ISP-1');
    await page.screenshot({ path: join(DOCS, 'ozloc-phone.png') });

    // Tap a box on the map: the confirmation shows it; "Voltar" closes it.
    await page.locator('.box-marker[title^="Caixa CTO-UMA,"]').click();
    const dialog = page.getByRole('dialog', { name: 'Confirmar reserva' });
    await dialog.waitFor();
    expect(await page.locator('#c-box').textContent()).toBe('CTO-UMA (100 m, 1 porta livre)');
    await dialog.getByRole('button', { name: 'Voltar' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Pick CTO-A in the list: the confirmation carries the client's data from Ispbox.
    await boxButton(page, 'CTO-A').click();
    await dialog.waitFor();
    expect(await page.locator('#c-code').textContent()).toBe('ISP-1');
    expect(await page.locator('#c-name').textContent()).toBe('Maria Aparecida Souza');
    expect(await page.locator('#c-address').textContent()).toBe(ADDRESS);
    expect(await page.locator('#c-box').textContent()).toBe('CTO-A (40 m, 6 portas livres)');
    await page.screenshot({ path: join(process.env.OZLOC_SHOT_DIR ?? dist, 'ozloc-confirm.png') });

    await dialog.getByRole('button', { name: 'Confirmar reserva' }).click();
    await page.getByRole('heading', { name: 'Reserva criada' }).waitFor();
    expect(await page.locator('#done-summary').textContent()).toBe(
      'Reserva criada: Caixa CTO-A, Splitter S1, Porta 3',
    );
    expect(await page.locator('#d-port').textContent()).toBe('3');
    expect(await page.locator('#d-splitter').textContent()).toBe('S1');
    await page.screenshot({ path: join(process.env.OZLOC_SHOT_DIR ?? dist, 'ozloc-done.png') });

    // In the database: a non-implanted client at the point, with name, code and address.
    const client = await server.ctx.db.ftthClient.findUniqueOrThrow({
      where: { code: 'ISP-1' },
      include: { property: { include: { box: true, splitter: true } } },
    });
    expect(client).toMatchObject({
      name: 'Maria Aparecida Souza',
      implanted: false,
      reservedBy: 'ispbox',
      property: {
        lat: HOME.lat,
        lng: HOME.lng,
        address: ADDRESS,
        port: 3,
        box: { name: 'CTO-A' },
        splitter: { name: 'S1' },
      },
    });
    await page.context().close();
  });

  it('a box that filled up meanwhile: the page says so and refreshes the list', async () => {
    const page = await openPage({
      lat: String(HOME.lat),
      lng: String(HOME.lng),
      cod_cli: 'ISP-2',
      client_name: 'João Pereira',
    });
    await boxButton(page, 'CTO-UMA').waitFor();
    // Someone else sells the last port of CTO-UMA while this page is open.
    await server.ctx.reservations.reserve({
      clientCode: 'OUTRA-VENDA',
      client: { name: 'Outro cliente' },
      target: { kind: 'box', boxId: net.boxes.one },
      reservedBy: 'conecteai',
      expiresInDays: 7,
    });
    await boxButton(page, 'CTO-UMA').click();
    await page
      .getByRole('dialog', { name: 'Confirmar reserva' })
      .getByRole('button', { name: 'Confirmar reserva' })
      .click();
    const alert = page.locator('#error');
    await expect
      .poll(() => alert.textContent())
      .toBe(
        'Esta caixa ficou sem portas livres enquanto você escolhia. A lista foi atualizada: escolha outra caixa.',
      );
    await expect.poll(() => page.locator('#boxes li').count()).toBe(2);
    expect(await boxButton(page, 'CTO-UMA').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error');
    expect(await server.ctx.db.ftthClient.count({ where: { code: 'ISP-2' } })).toBe(0);
    await page.context().close();
  });

  it('Ispbox opens it with an address: geocoded, centred there, and usable from the keyboard', async () => {
    const page = await openPage({
      address: 'Avenida Brasil 1500 Maringá',
      cod_cli: 'ISP-3',
      client_name: 'Ana Lima',
    });
    await boxButton(page, 'CTO-A').waitFor();
    expect(await page.locator('#geocoded').textContent()).toBe(
      'Ponto pelo endereço: Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000',
    );
    expect(geocoder.requests.some((r) => r.params.get('q') === 'Avenida Brasil 1500 Maringá')).toBe(
      true,
    );
    // The client's pin (its tip) sits at the centre of the map.
    const map = await page.locator('#map').boundingBox();
    const pin = await page.locator('.pin').boundingBox();
    if (!map || !pin) throw new Error('map or pin missing');
    expect(Math.abs(pin.x + pin.width / 2 - (map.x + map.width / 2))).toBeLessThan(3);
    expect(Math.abs(pin.y + pin.height - 1 - (map.y + map.height / 2))).toBeLessThan(3);

    // Keyboard: Enter on a box opens the confirmation with focus on "Confirmar reserva";
    // Escape closes it and focus returns to the box.
    await boxButton(page, 'CTO-B').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Confirmar reserva' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('confirm-button');
    expect(await page.locator('#c-address').textContent()).toBe('Avenida Brasil 1500 Maringá');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.boxId),
    ).toBe(net.boxes.b);
    await page.context().close();
  });
});
