/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// The whole chat path through the assembled server: channel adapter → conversation engine →
// viability, reservation and prospect services → database, and FindME handing a location back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { testProviders } from '../support/db.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { createBox } from '../support/network-fixture.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';

const home = { lat: -23.4253, lng: -51.9386 };
const CHAT = { id: 998877, type: 'private', first_name: 'Maria' };
const FROM = { id: 998877, is_bot: false, first_name: 'Maria' };

describe.each(testProviders())('chat through the assembled server on %s', (provider) => {
  let fake: FakeTelegram;
  let server: TestServer;
  let messageId = 1;

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    server = await startTestServer(provider, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      CHATBOT_PROSPECT_TAGS: 'chatbot,sem-cobertura',
    });
    const box = await createBox(server.ctx.db, {
      name: 'CTO-CHAT',
      lat: home.lat + 0.0005,
      lng: home.lng,
    });
    await server.ctx.network.boxesChanged([box.boxId]);
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  /** Sends an update and waits until the bot's answers include one matching `expected`. */
  async function say(update: Record<string, unknown>, expected: RegExp): Promise<string> {
    const before = fake.callsOf('sendMessage').length;
    fake.pushUpdate({
      message: { message_id: messageId++, date: 1_760_000_000, chat: CHAT, from: FROM, ...update },
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const texts = fake
        .callsOf('sendMessage')
        .slice(before)
        .map((c) => String(c.payload.text));
      const hit = texts.find((t) => expected.test(t));
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no reply matching ${expected} after ${JSON.stringify(texts)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('takes a Telegram customer from "oi" to a reserved port', async () => {
    await say({ text: 'oi' }, /Consultar disponibilidade/);
    await say({ text: '1' }, /localização/);
    await say({ location: { latitude: home.lat, longitude: home.lng } }, /Quer reservar/);
    await say({ text: 'sim' }, /endereço da instalação/);
    await say({ text: 'Avenida Brasil, 1450, apto 3, em frente à praça' }, /nome completo/);
    await say({ text: 'Maria Souza' }, /telefone/);
    await say({ text: '(44) 99999-0000' }, /CPF/);
    await say({ text: '111.111.111-11' }, /CPF/);
    await say({ text: '529.982.247-25' }, /e-mail/);
    await say({ text: 'maria@example.com' }, /Confira seus dados/);
    const done = await say({ text: 'sim' }, /sua instalação está reservada/);
    expect(done).not.toMatch(/CTO-CHAT|Porta/);

    const client = await server.ctx.db.ftthClient.findFirstOrThrow({
      where: { reservedBy: 'chatbot:telegram' },
      include: { property: true },
    });
    expect(client).toMatchObject({
      implanted: false,
      name: 'Maria Souza',
      document: '52998224725',
      email: 'maria@example.com',
    });
    // The technical location and the installation address reach sales.
    expect(client.property).toMatchObject({
      port: 1,
      address: 'Avenida Brasil, 1450 (apto 3), em frente à praça',
    });
    const meta = JSON.parse(client.reservationMetaJson ?? '{}');
    expect(meta).toMatchObject({ channel: 'telegram', chatId: String(CHAT.id) });
    // The sales team sees the chat's reservation, with the channel and answers, through the API
    // (with a key allowed to read personal data).
    const filter = encodeURIComponent(
      JSON.stringify([{ property: 'reservedBy', operator: '=', value: 'chatbot:telegram' }]),
    );
    const { key: salesKey } = await createApiKey(server.ctx.db, 'sales', 'generic', [
      'read',
      'pii',
    ]);
    const listed = await fetch(`${server.url}/api/v2/ftth-clients?filter=${filter}`, {
      headers: { authorization: salesKey },
    });
    const rows = ((await listed.json()) as { rows: Json[] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      code: client.code,
      reservedBy: 'chatbot:telegram',
      reservation: {
        channel: 'telegram',
        answers: { name: 'Maria Souza', email: 'maria@example.com' },
      },
    });
    // A duplicate "sim" does not book a second port.
    await say({ text: 'sim' }, /.+/);
    expect(
      await server.ctx.db.ftthClient.count({ where: { reservedBy: 'chatbot:telegram' } }),
    ).toBe(1);
  });

  it('continues a web chat with the point confirmed on the FindME page, and records a prospect', async () => {
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: 'web-session-1', ...body }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: Json[] }).replies;
    };
    await post({ text: 'oi' });
    const ask = await post({ text: '1' });
    const request = ask.find((r) => r.kind === 'request-location');
    expect(request?.findmeUrl).toMatch(/\/findme\//);
    const token = decodeURIComponent(String(request.findmeUrl).split('/findme/')[1] ?? '');

    // Far from the network: the customer confirms on the map page...
    const far = { lat: -23.55, lng: -51.46 };
    const confirm = await fetch(`${server.url}/findme/api/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, ...far }),
    });
    expect(confirm.status).toBe(200);
    // ...and the conversation continues in the chat with those coordinates.
    const pending = await (
      await fetch(`${server.url}/chat/messages?sessionId=web-session-1`)
    ).json();
    const texts = (pending as { replies: Json[] }).replies.map((r) => String(r.text ?? ''));
    expect(texts.join('\n')).toMatch(/ainda não/i);
    const reused = await fetch(`${server.url}/findme/api/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, ...far }),
    });
    expect(reused.status).toBe(409);

    await post({ text: 'sim' });
    await post({ text: 'Rua Pioneiro, 300' });
    await post({ text: 'Ana Lima' });
    const last = await post({ text: '44988887777' });
    expect(last.map((r) => String(r.text ?? '')).join('\n')).toMatch(/avis|contato/i);
    const prospect = await server.ctx.db.prospect.findFirstOrThrow({
      where: { source: 'chatbot:web' },
      include: { tags: true },
    });
    expect(prospect).toMatchObject({
      name: 'Ana Lima',
      viable: false,
      address: 'Rua Pioneiro, 300',
    });
    expect(prospect.lat).toBeCloseTo(far.lat, 9);
    expect(prospect.tags.map((t) => t.name).sort()).toEqual(['chatbot', 'sem-cobertura']);
    const filter = encodeURIComponent(
      JSON.stringify([{ property: 'source', operator: '=', value: 'chatbot:web' }]),
    );
    const listed = await fetch(`${server.url}/api/v2/prospects?filter=${filter}`, {
      headers: { authorization: server.apiKey },
    });
    const rows = ((await listed.json()) as { rows: Json[] }).rows;
    expect(rows.map((r) => [r.name, r.source, r.meta?.channel])).toEqual([
      ['Ana Lima', 'chatbot:web', 'web'],
    ]);
  });
});
