// Baileys and the Cloud API at once, through the assembled server: the same person writing on
// both numbers has two conversations that never mix (chats are keyed by channel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { hubConnector, startFakeWhatsApp, type FakeWhatsApp } from '../support/fake-whatsapp.js';
import { FakeWhatsAppCloud, interactive, visibleText } from '../support/fake-whatsapp-cloud.js';
import { createBox } from '../support/network-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

const home = { lat: -23.4253, lng: -51.9386 };
const number = '5544966665555';
const jid = `${number}@s.whatsapp.net`;

/** Polls until `probe` returns something (bounded: 15 s), for what arrives asynchronously. */
async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testProviders())('Baileys and the Cloud API side by side on %s', (provider) => {
  let hub: FakeWhatsApp;
  let cloud: FakeWhatsAppCloud;
  let server: TestServer;

  beforeAll(async () => {
    hub = await startFakeWhatsApp();
    cloud = await FakeWhatsAppCloud.start();
    server = await startTestServer(
      provider,
      { ...cloud.env(), WHATSAPP_ENABLED: 'true' },
      { whatsappConnect: hubConnector(hub.url, 'test') },
    );
    cloud.webhookUrl = `${server.url}/webhooks/whatsapp-cloud`;
    const box = await createBox(server.ctx.db, {
      name: 'CTO-BOTH',
      lat: home.lat + 0.0005,
      lng: home.lng,
    });
    await server.ctx.network.boxesChanged([box.boxId]);
    await eventually('the Baileys socket to open', () => hub.current('default'));
  });
  afterAll(async () => {
    await server.close();
    await cloud.close();
    await hub.close();
  });

  const baileysTo = () => hub.sent.filter((s) => s.jid === jid).map((s) => s.text ?? '');

  it('answers one person on both numbers, each conversation at its own step', async () => {
    const customer = cloud.customer(number, 'Carla Dias');
    expect((await customer.text('oi')).status).toBe(200);
    await server.chat.whatsappCloud!.whenIdle();
    const menu = cloud.messagesTo(number).find((m) => /Como posso te ajudar/.test(visibleText(m)));
    expect(menu && interactive(menu).type).toBe('button');
    expect((await customer.tapButton(menu!, /^Consultar/)).status).toBe(200);
    await server.chat.whatsappCloud!.whenIdle();
    expect(
      cloud
        .messagesTo(number)
        .some(
          (m) => m.type === 'interactive' && interactive(m).type === 'location_request_message',
        ),
    ).toBe(true);

    // On the Baileys number the same person starts from the beginning, in numbered text.
    expect(hub.deliver('default', jid, 'oi')).toBe(true);
    const greeting = await eventually('the Baileys menu', () =>
      baileysTo().find((t) => /Como posso te ajudar/.test(t)),
    );
    expect(greeting).toMatch(/1\. Consultar disponibilidade/);
    // The number typed there picks the option there.
    expect(hub.deliver('default', jid, '1')).toBe(true);
    await eventually('the Baileys location prompt', () =>
      baileysTo().find((t) => /localização/.test(t)),
    );

    // The Cloud conversation was not moved by any of it: the location answers its request.
    const before = cloud.messagesTo(number).length;
    expect((await customer.location(home.lat, home.lng)).status).toBe(200);
    await server.chat.whatsappCloud!.whenIdle();
    const offer = cloud
      .messagesTo(number)
      .slice(before)
      .find((m) => /Quer reservar/.test(visibleText(m)));
    expect(offer && interactive(offer).type).toBe('button');
    // Nothing meant for one channel went out on the other.
    expect(baileysTo().some((t) => /Quer reservar/.test(t))).toBe(false);

    const keys = await server.ctx.db.chatConversation.findMany({
      where: { chatKey: { contains: number } },
      select: { chatKey: true },
      orderBy: { chatKey: 'asc' },
    });
    expect(keys.map((k) => k.chatKey)).toEqual([`whatsapp-cloud:${number}`, `whatsapp:${jid}`]);
  });
});
