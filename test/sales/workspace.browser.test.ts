// The sales workspace as the sales team uses it, in Debian's Chromium: the whole server with the
// page built by Vite, a reservation made through the API and one made in the Telegram chat
// appearing live, search and CSV, confirm and release, a hand-off taken and answered so the
// customer's simulated Telegram chat gets the text, then handed back to the bot. Screenshots of
// the desktop and phone views go to docs/.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebInto } from '../support/build-web.js';
import { launchChromium, screenshotDir } from '../support/chromium.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { startTileServer, type TileServer } from '../support/fake-tiles.js';
import {
  boxNearHome,
  HOME,
  PASSWORD,
  reserveThroughApi,
  startSalesServer,
  type SalesServer,
} from './harness.js';

const DOCS = screenshotDir();

let dist: string;
let tiles: TileServer;
let fake: FakeTelegram;
let browser: Browser;
let server: SalesServer;
let messageId = 1;
const errors: string[] = [];

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'sales-web-'));
  await buildWebInto(dist);
  tiles = await startTileServer();
  fake = await FakeTelegram.start();
  browser = await launchChromium();
  server = await startSalesServer(
    'sqlite',
    {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      MAP_TILE_URL: tiles.streetTemplate,
      MAP_SATELLITE_TILE_URL: tiles.satelliteTemplate,
      FINDME_MAP_CENTER: `${HOME.lat},${HOME.lng}`,
    },
    { webDist: dist },
  );
  await boxNearHome(server, 'CTO-CENTRO', 40, 8);
  await boxNearHome(server, 'CTO-LESTE', 160, 8);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
  await tiles?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function open(viewport: { width: number; height: number }, mobile = false): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    viewport,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    acceptDownloads: true,
    ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/sales/`);
  return page;
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Usuário').fill(username);
  await page.getByLabel('Senha').fill(PASSWORD);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.locator('#today-reservations').waitFor();
  await page.locator('#live:not(.offline)').waitFor();
}

/** A Telegram customer writes; resolves once a reply matches. */
async function customer(
  chatId: number,
  text: string | { latitude: number; longitude: number },
  expected: RegExp,
): Promise<void> {
  const before = fake.callsOf('sendMessage').length;
  fake.pushUpdate({
    message: {
      message_id: messageId++,
      date: 1_764_590_000,
      chat: { id: chatId, type: 'private', first_name: 'João' },
      from: { id: chatId, is_bot: false, first_name: 'João' },
      ...(typeof text === 'string' ? { text } : { location: text }),
    },
  });
  const deadline = Date.now() + 15_000;
  while (
    !fake
      .callsOf('sendMessage')
      .slice(before)
      .some((c) => expected.test(String(c.payload.text)))
  ) {
    if (Date.now() > deadline) throw new Error(`no reply matching ${expected}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const count = (page: Page, card: string) => page.locator(`#${card} .count`);

describe('sales workspace in Chromium', () => {
  it('signs in, sees new reservations live, filters and exports, confirms and releases', async () => {
    const page = await open({ width: 1280, height: 860 });
    // A wrong password is refused in plain words.
    await page.getByLabel('Usuário').fill('bruno');
    await page.getByLabel('Senha').fill('errada-errada');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toBe('Usuário ou senha incorretos.');
    await signIn(page, 'bruno');
    expect(await count(page, 'today-reservations').textContent()).toBe('0');

    // Through the API (as 5Hub does): the count and the list change without a reload.
    await reserveThroughApi(server, {
      code: 'API-1',
      name: 'Maria Aparecida Souza',
      phone: '5544999991111',
    });
    await expect
      .poll(() => count(page, 'today-reservations').textContent(), { timeout: 10_000 })
      .toBe('1');
    await page
      .locator('#today-reservations')
      .getByRole('link', { name: 'Maria Aparecida Souza' })
      .waitFor();

    // In the Telegram chat, as a customer does it.
    await customer(5001, 'oi', /Consultar disponibilidade/);
    await customer(5001, '1', /localização/);
    await customer(5001, { latitude: HOME.lat, longitude: HOME.lng }, /Quer reservar/);
    await customer(5001, 'sim', /endereço da instalação/);
    await customer(5001, 'Rua Néo Alves Martins, 2300, casa 2', /nome completo/);
    await customer(5001, 'João Pedro Lima', /telefone/);
    await customer(5001, '(44) 99999-2222', /CPF/);
    await customer(5001, '111.444.777-35', /e-mail/);
    await customer(5001, 'joao@example.com', /Confira seus dados/);
    await customer(5001, 'sim', /sua instalação está reservada/);
    await expect
      .poll(() => count(page, 'today-reservations').textContent(), { timeout: 10_000 })
      .toBe('2');
    await page
      .locator('#today-reservations')
      .getByRole('link', { name: 'João Pedro Lima' })
      .waitFor();

    // The list: search by name, export exactly what the filter shows.
    await page.getByRole('link', { name: 'Reservas', exact: true }).click();
    await page.locator('#reservation-table tbody tr').nth(1).waitFor();
    expect(await page.locator('#reservation-table tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(DOCS, 'sales-desktop.png') });
    await page.getByRole('searchbox', { name: 'Buscar' }).fill('lima');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await expect.poll(() => page.locator('#reservation-table tbody tr').count()).toBe(1);
    expect(page.url()).toContain('#/reservas?q=lima');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('reservas-2026-12-01.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(
      'João Pedro Lima;5544999992222;11144477735;joao@example.com;chatbot:telegram;Ativa;',
    );
    expect(csv).not.toContain('Maria');

    // Confirm Maria's (she signed the contract): the port is hers for good.
    await page.goto(`${server.url}/sales/#/reservas`);
    await page
      .locator('#reservation-table')
      .getByRole('link', { name: 'Maria Aparecida Souza' })
      .click();
    await page.locator('#detail-title').waitFor();
    expect(await page.locator('#reservation-facts').textContent()).toContain('CTO-CENTRO');
    await page.getByRole('button', { name: 'Confirmar (implantada)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmar' }).click();
    await page.locator('.detail-head .status', { hasText: 'Confirmada' }).waitFor();
    expect(
      (await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code: 'API-1' } })).implanted,
    ).toBe(true);
    await page.locator('.history', { hasText: 'bruno confirmou a reserva' }).waitFor();

    // Release João's (he gave up): the port is free again.
    await page.goto(`${server.url}/sales/#/reservas?q=lima`);
    await page.locator('#reservation-table').getByRole('link', { name: 'João Pedro Lima' }).click();
    await page.locator('#detail-title').waitFor();
    // The chat he had with the bot is there for whoever calls him back.
    await page
      .locator('.transcript .msg-customer', { hasText: 'Rua Néo Alves Martins, 2300' })
      .waitFor();
    await page.getByRole('button', { name: 'Liberar porta' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Liberar porta' }).click();
    await page.locator('.detail-head .status', { hasText: 'Liberada' }).waitFor();
    expect(await server.ctx.db.ftthClient.count({ where: { name: 'João Pedro Lima' } })).toBe(0);

    // The map shows what is in view: the reservation and the boxes with free ports.
    await page.getByRole('link', { name: 'Mapa' }).click();
    await expect.poll(() => page.locator('path.m-box').count(), { timeout: 10_000 }).toBe(2);
    await expect
      .poll(() => page.locator('#map-status').textContent())
      .toMatch(/^0 reservas, 0 prospects e 2 caixas com portas livres/);
    await page.context().close();
  });

  it('takes a hand-off, replies so the Telegram chat gets it, and hands back to the bot', async () => {
    const page = await open({ width: 1280, height: 860 });
    await signIn(page, 'carla');
    await customer(6001, 'oi', /Como posso te ajudar/);
    await customer(6001, 'quero falar com um atendente', /fila/);
    // Live: the badge counts who waits, and the "Hoje" card lists them.
    await expect
      .poll(() => page.locator('#waiting-badge').textContent(), { timeout: 10_000 })
      .toBe('1');
    await expect.poll(() => count(page, 'today-waiting').textContent()).toBe('1');

    await page.getByRole('link', { name: /^Atendimento/ }).click();
    await page.locator('#open-handoffs a').first().click();
    await page.getByRole('button', { name: 'Assumir atendimento' }).click();
    await page.locator('#reply-form').waitFor();
    const before = fake.callsOf('sendMessage').length;
    await page
      .getByLabel('Mensagem para o cliente')
      .fill('Olá! Aqui é a Carla, da equipe de vendas. Em que posso ajudar?');
    await page.getByRole('button', { name: 'Enviar' }).click();
    await expect
      .poll(() =>
        fake
          .callsOf('sendMessage')
          .slice(before)
          .map((c) => [String(c.payload.chat_id), c.payload.text]),
      )
      .toEqual([['6001', 'Olá! Aqui é a Carla, da equipe de vendas. Em que posso ajudar?']]);
    await page.locator('.transcript .msg-agent', { hasText: 'Aqui é a Carla' }).waitFor();

    // The customer answers: it shows up in the open conversation by itself.
    await customer(6001, 'Queria saber se tem fibra na chácara', /^$/).catch(() => undefined);
    await page
      .locator('.transcript .msg-customer', { hasText: 'tem fibra na chácara' })
      .waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(DOCS, 'sales-handoff-desktop.png') });

    await page.getByRole('button', { name: 'Devolver ao bot' }).click();
    await page.locator('.detail-head .status', { hasText: 'Devolvido ao bot' }).waitFor();
    await expect
      .poll(
        () =>
          fake
            .callsOf('sendMessage')
            .filter((c) => String(c.payload.chat_id) === '6001')
            .at(-1)?.payload.text,
      )
      .toMatch(/^Pronto! Você voltou para o atendimento automático/);
    await customer(6001, 'oi', /Como posso te ajudar/);
    await page.context().close();
  });

  it('works on a phone: sign-in, Hoje and the lists', async () => {
    const page = await open({ width: 390, height: 844 }, true);
    await signIn(page, 'ana');
    await page.locator('#today-reservations .count').waitFor();
    await page.screenshot({ path: join(DOCS, 'sales-phone.png') });
    await page.getByRole('link', { name: 'Reservas', exact: true }).click();
    await page.locator('#reservation-table tbody tr').first().waitFor();
    // One card per reservation: nothing wider than the screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(DOCS, 'sales-phone-list.png') });
    await page.context().close();
    expect(errors).toEqual([]);
  });
});
