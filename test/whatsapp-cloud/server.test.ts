// The Cloud channel as the assembled server runs it: the start-up template check, the admin
// routes, a late message replaced by its template through the real status webhook, and the
// scheduled notices (reservation reminders, coverage reached) sent once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { createProspect } from '../../src/services/prospects.js';
import { testProviders } from '../support/db.js';
import { FakeWhatsAppCloud } from '../support/fake-whatsapp-cloud.js';
import { createBox } from '../support/network-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 24 * 3600_000;
const METRICS = 'metrics-token-cloud-0123456789';

describe.each(testProviders())('WhatsApp Cloud API in the assembled server on %s', (provider) => {
  it('does not start when a configured template is missing, and says which', async () => {
    const cloud = await FakeWhatsAppCloud.start();
    cloud.templates.splice(
      0,
      cloud.templates.length,
      ...cloud.templates.filter((t) => t.name !== 'alcance_resposta_atendimento'),
    );
    const error = await startTestServer(provider, cloud.env()).catch((e: unknown) => e);
    await cloud.close();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      'WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY (alcance_resposta_atendimento): no template with this name in the WhatsApp Business Account',
    );
  });

  describe('running', () => {
    let cloud: FakeWhatsAppCloud;
    let server: TestServer;
    let adminKey: string;
    let clock = Date.now();

    beforeAll(async () => {
      cloud = await FakeWhatsAppCloud.start({ now: () => clock });
      server = await startTestServer(
        provider,
        { ...cloud.env(), WHATSAPP_CLOUD_REMINDER_HOURS: '24', METRICS_TOKEN: METRICS },
        { now: () => new Date(clock) },
      );
      cloud.webhookUrl = `${server.url}/webhooks/whatsapp-cloud`;
      adminKey = (await createApiKey(server.ctx.db, 'ops', 'admin')).key;
    });
    afterAll(async () => {
      await server.close();
      await cloud.close();
    });

    const admin = (path: string, key = adminKey) =>
      fetch(`${server.url}${path}`, { headers: { authorization: key } });
    const cloudChannel = () => server.chat.whatsappCloud!;
    /** Runs a job now; each manual run is its own slot, so the clock moves a minute first. */
    const run = async (job: string) => {
      clock += 60_000;
      expect(await server.ctx.jobs.runNow(job)).toBe('ran');
    };

    it('reports its state to admins only', async () => {
      const res = await admin('/admin/whatsapp-cloud/status');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({
        state: 'ready',
        phoneNumberId: cloud.phoneNumberId,
        templates: 'verified',
      });
      expect((await admin('/admin/whatsapp-cloud/status', server.apiKey)).status).toBe(403);
      expect((await fetch(`${server.url}/admin/whatsapp-cloud/status`)).status).toBe(401);
    });

    it("serves a customer's photo to admins through the service", async () => {
      const customer = cloud.customer('5544933332222');
      await customer.image('fachada');
      await cloudChannel().whenIdle();
      const inbound = await server.ctx.db.whatsAppCloudInbound.findFirstOrThrow({
        where: { chatId: customer.waId },
      });
      expect(inbound.state).toBe('done');
      const id = cloud.lastMediaId!;
      const res = await admin(`/admin/whatsapp-cloud/media/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toContain('fake jpeg');
      expect((await admin('/admin/whatsapp-cloud/media/123456')).status).toBe(404);
      expect((await admin('/admin/whatsapp-cloud/media/abc')).status).toBe(400);
    });

    it('replaces a message Meta refuses as outside the window with the hand-off template', async () => {
      const customer = cloud.customer('5544944443333', 'Paula Reis');
      // Our record says Paula wrote 2 hours ago; Meta's says it was days ago.
      await server.ctx.db.whatsAppCloudContact.create({
        data: {
          chatId: customer.waId,
          lastInboundAt: new Date(clock - 2 * 3600_000),
          profileName: 'Paula Reis',
        },
      });
      await cloudChannel().send(customer.waId, [
        { kind: 'text', text: 'Olá Paula, podemos instalar amanhã?' },
      ]);
      await cloud.settled();
      await cloudChannel().whenIdle();
      const sent = cloud.messagesTo(customer.waId);
      expect(sent.map((m) => m.type)).toEqual(['template']);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [
          { parameters: [{ text: 'Paula' }, { text: 'Olá Paula, podemos instalar amanhã?' }] },
        ],
      });
    });

    it('reminds a chat reservation a day before it lapses, once, by template', async () => {
      const home = { lat: -23.41, lng: -51.95 };
      const box = await createBox(server.ctx.db, {
        name: 'CTO-LEMBRETE',
        lat: home.lat,
        lng: home.lng,
      });
      await server.ctx.network.boxesChanged([box.boxId]);
      const waId = '5544955554444';
      const reservedAt = clock;
      await server.ctx.reservations.reserve({
        clientCode: 'CHAT-reminder-1',
        client: { name: 'Carla Dias', phone: waId },
        point: home,
        address: 'Rua das Palmeiras, 20',
        target: { kind: 'nearest' },
        reservedBy: 'chatbot:whatsapp-cloud',
        expiresInDays: 7,
        meta: { channel: 'whatsapp-cloud', chatId: waId },
      });
      await run('whatsapp-cloud-reminders');
      expect(cloud.messagesTo(waId)).toEqual([]);
      clock += 6.5 * DAY;
      await run('whatsapp-cloud-reminders');
      await run('whatsapp-cloud-reminders');
      const sent = cloud.messagesTo(waId);
      expect(sent).toHaveLength(1);
      const expires = new Date(reservedAt + 7 * DAY).toLocaleDateString('pt-BR', {
        timeZone: 'America/Sao_Paulo',
      });
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_reserva_expirando',
        components: [{ parameters: [{ text: 'Carla' }, { text: expires }] }],
      });
    });

    it('tells a prospect once when coverage reaches their point', async () => {
      const point = { lat: -23.3, lng: -52.1 };
      const waId = '5544966665555';
      await createProspect(
        server.ctx.db,
        {
          name: 'Bruno Alves',
          phone: waId,
          point,
          tags: [],
          source: 'chatbot:whatsapp-cloud',
          meta: { channel: 'whatsapp-cloud', chatId: waId },
        },
        new Date(clock),
      );
      await run('whatsapp-cloud-coverage');
      expect(cloud.messagesTo(waId)).toEqual([]);
      const box = await createBox(server.ctx.db, {
        name: 'CTO-NOVA',
        lat: point.lat + 0.0005,
        lng: point.lng,
      });
      await server.ctx.network.boxesChanged([box.boxId]);
      await run('whatsapp-cloud-coverage');
      await run('whatsapp-cloud-coverage');
      const sent = cloud.messagesTo(waId);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_fibra_disponivel',
        components: [{ parameters: [{ text: 'Bruno' }] }],
      });
    });

    // Last: it leaves the token expired.
    it('shows a refused token in /ready, the status route and alcance_channel_up, and keeps the answer for later', async () => {
      const channelUp = async () => {
        const res = await fetch(`${server.url}/metrics`, {
          headers: { authorization: `Bearer ${METRICS}` },
        });
        const line = (await res.text())
          .split('\n')
          .find((l) => l.startsWith('alcance_channel_up{channel="whatsapp-cloud"}'));
        return Number(line?.split(' ')[1]);
      };
      expect(await channelUp()).toBe(1);
      cloud.expireToken();
      const customer = cloud.customer('5544955554444', 'Rita');
      expect((await customer.text('oi')).status).toBe(200);
      await cloudChannel().whenIdle();

      const ready = await fetch(`${server.url}/ready`);
      // A channel down does not take the instance out of the load balancer.
      expect(ready.status).toBe(200);
      expect(
        ((await ready.json()) as { channels: Record<string, unknown> }).channels,
      ).toMatchObject({
        'whatsapp-cloud': { status: 'down', state: 'token-invalid' },
      });
      expect(await channelUp()).toBe(0);
      expect(await (await admin('/admin/whatsapp-cloud/status')).json()).toMatchObject({
        state: 'token-invalid',
        lastAlert: { kind: 'token', code: 190 },
      });
      const waiting = await server.ctx.db.whatsAppCloudInbound.findMany({
        where: { chatId: '5544955554444' },
        select: { state: true },
      });
      expect(waiting).toEqual([{ state: 'replying' }]);
    });
  });
});
