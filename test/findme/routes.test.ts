import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GeoPoint } from '../../src/bot/conversation/messages.js';
import { templateOrigin } from '../../src/http/map-page-csp.js';
import {
  startFindMeHarness,
  type FindMeHarness,
  type HarnessOptions,
} from '../support/findme-harness.js';

// A stand-in for the built page: the routes only fill its placeholders.
const webDist = mkdtempSync(join(tmpdir(), 'findme-dist-'));
mkdirSync(join(webDist, 'findme'));
mkdirSync(join(webDist, 'assets'));
writeFileSync(
  join(webDist, 'findme', 'index.html'),
  '<html><head><!--findme-config--><script type="module" src="__ASSET_BASE__/assets/app.js"></script></head></html>',
);
writeFileSync(join(webDist, 'assets', 'app.js'), 'console.log("findme")');
afterAll(() => rmSync(webDist, { recursive: true, force: true }));

let h: FindMeHarness | undefined;
async function harness(options: HarnessOptions = {}): Promise<FindMeHarness> {
  h = await startFindMeHarness({ webDist, minIntervalMs: 0, ...options });
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const tokenOf = (url: string) => url.split('/findme/')[1] ?? '';

async function newLink(x: FindMeHarness, channel: 'telegram' | 'whatsapp' = 'telegram') {
  const link = await x.links.create(
    channel,
    channel === 'telegram' ? '987654321' : '5544998765432@s.whatsapp.net',
  );
  return { ...link, token: tokenOf(link.url) };
}

function confirm(x: FindMeHarness, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${x.url}/findme/api/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function api(x: FindMeHarness, path: string, token?: string) {
  return fetch(`${x.url}/findme/api${path}`, {
    headers: token ? { 'X-FindMe-Token': token } : {},
  });
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('GET /findme/:token', () => {
  it('serves the page with its config injected, asset URLs under /findme, and strict headers', async () => {
    const x = await harness({
      map: { satelliteTileUrl: 'https://{s}.tiles.example.com.br/sat/{z}/{x}/{y}.jpg' },
    });
    const { url, token, expiresAt } = await newLink(x);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('https://*.tiles.example.com.br');
    expect(csp).toContain('http://127.0.0.1:9');
    const html = await res.text();
    expect(html).toContain('src="/findme/assets/app.js"');
    const config = JSON.parse(
      /<script id="findme-config" type="application\/json">(.*?)<\/script>/.exec(html)?.[1] ?? '{}',
    ) as Record<string, unknown>;
    expect(config).toEqual({
      token,
      expiresAt: expiresAt.toISOString(),
      searchEnabled: true,
      center: { lat: -23.4253, lng: -51.9386 },
      zoom: 14,
      tiles: {
        street: {
          url: 'http://127.0.0.1:9/street/{z}/{x}/{y}.png',
          attribution: '© colaboradores do OpenStreetMap',
        },
        satellite: {
          url: 'https://{s}.tiles.example.com.br/sat/{z}/{x}/{y}.jpg',
          attribution: 'Imagens de teste',
        },
      },
    });
    const asset = await fetch(`${x.url}/findme/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain('findme');
  });

  it('says search is off when no geocoder is configured', async () => {
    const x = await harness({ geocoder: false });
    const html = await (await fetch((await newLink(x)).url)).text();
    expect(html).toContain('"searchEnabled":false');
  });

  it('shows a friendly pt-BR page for a tampered link', async () => {
    const x = await harness();
    const { url } = await newLink(x);
    const res = await fetch(url.slice(0, -3) + 'AAA');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Link inválido');
    expect(html).toContain('Para receber um novo link');
    expect(html).toContain('lang="pt-BR"');
  });

  it('shows "expirou" for an expired link, naming the chat app it came from', async () => {
    const x = await harness();
    const { url } = await newLink(x, 'whatsapp');
    x.clock.now = new Date(x.clock.now.getTime() + 31 * 60_000);
    const res = await fetch(url);
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(html).toContain('Este link expirou');
    expect(html).toContain('conversa no WhatsApp');
    expect(html).not.toContain('5544998765432');
  });

  it('answers 503 with a friendly page when the page was not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'findme-empty-'));
    const x = await harness({ webDist: empty });
    const res = await fetch((await newLink(x)).url);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('Página indisponível');
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('geocoding proxy', () => {
  it('needs a valid link token', async () => {
    const x = await harness();
    const none = await api(x, '/search?q=avenida+brasil');
    expect(none.status).toBe(401);
    expect(await json(none)).toEqual({ message: 'Link inválido. Peça um novo link na conversa.' });
    expect((await api(x, '/search?q=avenida+brasil', 'forged.token')).status).toBe(401);
    expect(x.fake.requests).toHaveLength(0);
  });

  it('searches and reverse-geocodes through the server', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    const search = await api(x, '/search?q=Rua+N%C3%A9o+Alves+Martins+Maring%C3%A1', token);
    expect(search.status).toBe(200);
    expect(await json(search)).toEqual({
      results: [
        {
          label: 'Rua Néo Alves Martins, 2200 - Zona 03, Maringá - PR, 87050-110',
          point: { lat: -23.4236, lng: -51.9402 },
        },
      ],
    });
    const reverse = await api(x, '/reverse?lat=-23.4254&lng=-51.9375', token);
    expect(await json(reverse)).toEqual({
      address: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000',
    });
    const nowhere = await api(x, '/reverse?lat=-10.5&lng=-55.2', token);
    expect(await json(nowhere)).toEqual({ address: null });
  });

  it('validates its input', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    const short = await api(x, '/search?q=ab', token);
    expect(short.status).toBe(400);
    expect(await json(short)).toEqual({ message: 'Digite um endereço com pelo menos 3 letras.' });
    expect((await api(x, '/reverse?lat=abc&lng=-51.9', token)).status).toBe(400);
    expect((await api(x, '/reverse?lat=-123&lng=-51.9', token)).status).toBe(400);
    // Outside Brazil there is nothing to look up: no upstream call.
    expect(await json(await api(x, '/reverse?lat=38.72&lng=-9.14', token))).toEqual({
      address: null,
    });
    expect(x.fake.requests).toHaveLength(0);
  });

  it('answers 503 with a message when the geocoder is down, and 504 when it is slow', async () => {
    const x = await harness({ timeoutMs: 300 });
    const { token } = await newLink(x);
    x.fake.mode = 'down';
    const down = await api(x, '/search?q=avenida+brasil', token);
    expect(down.status).toBe(503);
    expect((await json(down)).message).toMatch(/fora do ar.*GPS/);
    x.fake.mode = 'slow';
    x.fake.slowMs = 2000;
    const slow = await api(x, '/reverse?lat=-23.4254&lng=-51.9375', token);
    expect(slow.status).toBe(504);
    expect((await json(slow)).message).toMatch(/demorou demais/);
  });

  it('answers 503 "not available" when no geocoder is configured', async () => {
    const x = await harness({ geocoder: false });
    const res = await api(x, '/search?q=avenida+brasil', (await newLink(x)).token);
    expect(res.status).toBe(503);
    expect((await json(res)).message).toMatch(/não está disponível/);
  });
});

describe('POST /findme/api/confirm', () => {
  const POINT: GeoPoint = { lat: -23.425412345678, lng: -51.937587654321 };

  it('hands the exact point back to the conversation once, and the chat gets the reply', async () => {
    const x = await harness();
    const { token, linkId } = await newLink(x);
    const res = await confirm(x, { token, ...POINT, address: '  Avenida Brasil,\n1500\u0000 ' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      message: 'Pronto! Volte para a conversa',
      address: 'Avenida Brasil, 1500',
    });
    expect(x.confirmed).toEqual([
      {
        linkId,
        channel: 'telegram',
        chatId: '987654321',
        point: POINT,
        address: 'Avenida Brasil, 1500',
      },
    ]);
    expect(x.inbound).toEqual([
      {
        kind: 'findme-location',
        channel: 'telegram',
        chatId: '987654321',
        messageId: `findme:${linkId}`,
        sentAt: x.clock.now,
        point: POINT,
        address: 'Avenida Brasil, 1500',
        linkId,
      },
    ]);
    expect(x.sent).toEqual([
      {
        channel: 'telegram',
        chatId: '987654321',
        messages: [{ kind: 'text', text: `Recebi sua localização: ${POINT.lat}, ${POINT.lng}` }],
      },
    ]);
  });

  it('accepts a double submit once: the second gets 409 and the hand-back runs once', async () => {
    const x = await harness();
    const { token, url } = await newLink(x);
    const [a, b] = await Promise.all([
      confirm(x, { token, ...POINT }),
      confirm(x, { token, ...POINT }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(await json(loser)).toEqual({
      message: 'Esta localização já foi confirmada. Volte para a conversa.',
    });
    expect(x.confirmed).toHaveLength(1);
    // Replaying the link later: the API says 409, the page says it was used.
    expect((await confirm(x, { token, ...POINT })).status).toBe(409);
    const page = await fetch(url);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Localização já confirmada');
    expect(x.confirmed).toHaveLength(1);
  });

  it('rejects NaN, strings, missing or out-of-range coordinates with 400', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    for (const body of [
      { token, lat: 'NaN', lng: -51.9 },
      { token, lat: '-23.4', lng: -51.9 },
      { token, lat: null, lng: -51.9 },
      { token, lng: -51.9 },
      { token, lat: -91, lng: -51.9 },
      { token, lat: -23.4, lng: 181 },
      { token, lat: -23.4, lng: -51.9, address: 'x'.repeat(301) },
    ]) {
      const res = await confirm(x, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).message).toMatch(/Coordenadas inválidas/);
    }
    const nan = await confirm(x, `{"token":"${token}","lat":NaN,"lng":-51.9}`);
    expect(nan.status).toBe(400);
    expect(x.confirmed).toHaveLength(0);
  });

  it('says so when the point is outside Brazil, and the link stays usable', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    const lisbon = await confirm(x, { token, lat: 38.7223, lng: -9.1393 });
    expect(lisbon.status).toBe(422);
    expect((await json(lisbon)).message).toMatch(/fora do Brasil/);
    expect((await confirm(x, { token, ...POINT })).status).toBe(200);
    expect(x.confirmed).toHaveLength(1);
  });

  it('says so when the point is outside the network area', async () => {
    const x = await harness({ networkArea: (p) => p.lat > -23.5 && p.lat < -23.3 });
    const { token } = await newLink(x);
    const far = await confirm(x, { token, lat: -25.43, lng: -49.27 }); // Curitiba
    expect(far.status).toBe(422);
    expect((await json(far)).message).toMatch(/fora da nossa área de atendimento/);
    expect(x.confirmed).toHaveLength(0);
  });

  it('rejects malformed JSON, non-JSON and oversized bodies with clear 4xx messages', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    const broken = await confirm(x, '{"token": "abc", "lat": -23.4,');
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toMatch(/JSON/);
    const text = await fetch(`${x.url}/findme/api/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: `token=${token}&lat=-23.4&lng=-51.9`,
    });
    expect(text.status).toBe(415);
    const big = await confirm(x, { token, ...POINT, padding: 'x'.repeat(4000) });
    expect(big.status).toBe(413);
    expect(await json(big)).toEqual({ message: 'Os dados enviados são grandes demais.' });
    const huge = await confirm(x, { token, ...POINT, padding: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(413);
    expect(x.confirmed).toHaveLength(0);
  });

  it('refuses expired and tampered links', async () => {
    const x = await harness();
    const { token } = await newLink(x);
    const tampered = await confirm(x, { token: token.slice(0, -4) + 'AAAA', ...POINT });
    expect(tampered.status).toBe(401);
    x.clock.now = new Date(x.clock.now.getTime() + 30 * 60_000);
    const expired = await confirm(x, { token, ...POINT });
    expect(expired.status).toBe(410);
    expect(await json(expired)).toEqual({
      message: 'Este link expirou. Peça um novo link na conversa.',
    });
    expect(x.confirmed).toHaveLength(0);
  });

  it('gives the link back when the hand-back fails, so the customer can try again', async () => {
    let fail = true;
    const x = await harness({
      onConfirmed: () => (fail ? Promise.reject(new Error('telegram is down')) : Promise.resolve()),
    });
    const { token } = await newLink(x);
    const first = await confirm(x, { token, ...POINT });
    expect(first.status).toBe(502);
    expect((await json(first)).message).toMatch(/Tente confirmar de novo/);
    fail = false;
    expect((await confirm(x, { token, ...POINT })).status).toBe(200);
    expect(x.confirmed).toHaveLength(2);
  });

  it('adds the viability preview (only yes/no), and survives a failing preview', async () => {
    const seen: GeoPoint[] = [];
    const x = await harness({
      previewViability: (p) => {
        seen.push(p);
        return Promise.resolve({ viable: true, boxes: ['CTO-01'] } as { viable: boolean });
      },
    });
    const res = await confirm(x, { token: (await newLink(x)).token, ...POINT });
    expect(await json(res)).toEqual({ message: 'Pronto! Volte para a conversa', viable: true });
    expect(seen).toEqual([POINT]);

    await x.close();
    const y = await harness({ previewViability: () => Promise.reject(new Error('db down')) });
    const res2 = await confirm(y, { token: (await newLink(y)).token, ...POINT });
    expect(res2.status).toBe(200);
    expect(await json(res2)).toEqual({ message: 'Pronto! Volte para a conversa' });
  });
});

describe('templateOrigin', () => {
  it('turns tile URL templates into CSP sources', () => {
    expect(templateOrigin('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe(
      'https://tile.openstreetmap.org',
    );
    expect(templateOrigin('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toBe(
      'https://*.tile.example.org',
    );
    expect(templateOrigin('http://127.0.0.1:8080/t/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8080');
  });
});
