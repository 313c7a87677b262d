// The web chat page in real Chromium: it loads without script errors, the customer types and
// gets replies, taps option buttons, shares a location (geolocation), reloads and carries on.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createBox } from '../support/network-fixture.js';

const home = { lat: -23.4253, lng: -51.9386 };

describe('web chat page in Chromium', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { PROVIDER_NAME: 'Fibra Rápida' });
    const box = await createBox(server.ctx.db, { name: 'CTO-WEB', lat: home.lat, lng: home.lng });
    await server.ctx.network.boxesChanged([box.boxId]);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('types, taps options, shares a location, reloads and continues to a reservation', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      geolocation: { latitude: home.lat, longitude: home.lng },
      permissions: ['geolocation'],
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${server.url}/chat`);
    await expect.poll(() => page.title()).toContain('Fibra Rápida');
    // The page greets on its own: "oi" is sent and the menu arrives, with buttons.
    const menuButton = page.getByRole('button', { name: '1. Consultar disponibilidade de fibra' });
    await menuButton.waitFor();
    expect(await page.locator('header').textContent()).toContain('Fibra Rápida');
    await menuButton.click();
    await page.getByText('Onde você quer instalar a internet?').waitFor();
    // Share the (granted) browser location.
    await page.getByRole('button', { name: 'Enviar minha localização' }).click();
    await page.getByText('Temos fibra em').waitFor();
    await page.getByRole('button', { name: '1. Sim, quero reservar' }).click();
    await page.getByText('Para o técnico encontrar você').waitFor();
    // Typing works too.
    await page.getByLabel('Mensagem').fill('Rua das Palmeiras, 77, casa 2');
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByText('Qual é o seu nome completo?').waitFor();

    // Reload: the transcript is still there, and the conversation goes on where it was.
    await page.reload();
    await page.getByText('Qual é o seu nome completo?').waitFor();
    expect(await page.locator('.msg.me').count()).toBeGreaterThanOrEqual(4);
    for (const answer of ['Maria da Silva', '(44) 99876-5432', '529.982.247-25', 'pular']) {
      const before = await page.locator('.msg.bot').count();
      await page.getByLabel('Mensagem').fill(answer);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.msg.bot').count()).toBeGreaterThan(before);
    }
    await page.getByText('Confira seus dados').waitFor();
    await page.getByRole('button', { name: '1. Confirmar reserva' }).click();
    await page.getByText('sua instalação está reservada até').waitFor();
    // Old option buttons no longer answer a question that is gone.
    expect(await page.getByRole('button', { name: '1. Sim, quero reservar' }).isDisabled()).toBe(
      true,
    );
    expect(errors).toEqual([]);

    const client = await server.ctx.db.ftthClient.findFirstOrThrow({
      where: { reservedBy: 'chatbot:web' },
      include: { property: true },
    });
    expect(client).toMatchObject({ name: 'Maria da Silva', email: null });
    expect(client.property).toMatchObject({ address: 'Rua das Palmeiras, 77 (casa 2)' });
    expect(client.property?.lat).toBeCloseTo(home.lat, 5);
    await context.close();
  });
});
