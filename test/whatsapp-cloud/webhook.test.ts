// The webhook route of the assembled server: Meta's verification handshake, the signature check
// before anything is read, redeliveries answered once, and bad input getting the right status.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../bot/capture-logger.js';
import { testProviders } from '../support/db.js';
import { FakeWhatsAppCloud, metaJson, sign, visibleText } from '../support/fake-whatsapp-cloud.js';
import { startTestServer, type TestServer } from '../support/server.js';

const VERIFY = 'verify-token-123';

describe.each(testProviders())('WhatsApp Cloud API webhook on %s', (provider) => {
  let cloud: FakeWhatsAppCloud;
  let server: TestServer;
  const log = captureLogger('debug');
  let hook: string;
  let nextWaId = 5544900000000;
  const newCustomer = (name = 'Cliente') => cloud.customer(String(nextWaId++), name);

  beforeAll(async () => {
    cloud = await FakeWhatsAppCloud.start();
    server = await startTestServer(
      provider,
      { ...cloud.env(VERIFY), BODY_LIMIT: '64kb' },
      { logger: log.logger },
    );
    hook = `${server.url}/webhooks/whatsapp-cloud`;
    cloud.webhookUrl = hook;
  });
  afterAll(async () => {
    await server.close();
    await cloud.close();
  });
  beforeEach(() => {
    log.lines.length = 0;
  });

  const idle = () => server.chat.whatsappCloud!.whenIdle();
  /** Posts `body` signed as `signed` (the same bytes unless a test alters them after signing). */
  const postRaw = (body: string, signed = body) =>
    fetch(hook, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(cloud.appSecret, signed),
      },
      body,
    });
  const inboundRows = () => server.ctx.db.whatsAppCloudInbound.count();

  describe('verification handshake', () => {
    it('echoes the challenge when the verify token matches', async () => {
      const res = await fetch(
        `${hook}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('1158201444');
    });

    it('refuses a wrong token with 403 and incomplete requests with 400', async () => {
      const wrong = await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toEqual({
        message: 'hub.verify_token does not match WHATSAPP_CLOUD_VERIFY_TOKEN',
      });
      expect(
        (await fetch(`${hook}?hub.mode=unsubscribe&hub.verify_token=${VERIFY}&hub.challenge=1`))
          .status,
      ).toBe(403);
      expect((await fetch(`${hook}?hub.mode=subscribe&hub.challenge=1`)).status).toBe(400);
      expect(log.text()).not.toContain('nope');
    });
  });

  describe('signature', () => {
    it('refuses unsigned, mis-signed and foreign-signed deliveries with 401 and processes nothing', async () => {
      const customer = newCustomer();
      const rowsBefore = await inboundRows();
      for (const signing of ['none', 'wrong', 'other-secret'] as const) {
        const payload = cloud.envelope({
          messages: [
            {
              from: customer.waId,
              id: `wamid.sig-${signing}`,
              timestamp: '1772366400',
              type: 'text',
              text: { body: 'oi' },
            },
          ],
        });
        const res = await cloud.post(payload, signing);
        expect(res.status).toBe(401);
        expect(JSON.parse(res.body)).toEqual({ message: 'missing or invalid X-Hub-Signature-256' });
      }
      await idle();
      expect(await inboundRows()).toBe(rowsBefore);
      expect(cloud.messagesTo(customer.waId)).toEqual([]);
      expect(
        log.lines.filter((l) => l.includes('X-Hub-Signature-256 does not match')),
      ).toHaveLength(3);
      expect(log.text()).not.toContain(customer.waId);
    });

    it('refuses a body changed after signing', async () => {
      const raw = metaJson(cloud.envelope({ messages: [] }));
      const res = await postRaw(raw.replace('[]', '[{}]'), raw);
      expect(res.status).toBe(401);
    });

    it('checks the raw bytes, as Meta signs them (escaped unicode and slashes)', async () => {
      const customer = newCustomer('João Ação');
      const { status } = await customer.text('Olá! Tenho interesse 🙂 https://maps.app/x');
      expect(status).toBe(200);
      await idle();
      expect(cloud.messagesTo(customer.waId).length).toBeGreaterThan(0);
    });
  });

  describe('redeliveries', () => {
    it('answers a message Meta delivers three times once', async () => {
      const customer = newCustomer();
      const first = await customer.text('oi', { id: 'wamid.same-three-times' });
      expect(first.status).toBe(200);
      await idle();
      const answered = cloud.messagesTo(customer.waId).length;
      expect(answered).toBeGreaterThan(0);
      for (let i = 0; i < 2; i++) {
        const again = await customer.text('oi', { id: 'wamid.same-three-times' });
        expect(again.status).toBe(200);
      }
      await idle();
      expect(cloud.messagesTo(customer.waId)).toHaveLength(answered);
      expect(
        await server.ctx.db.whatsAppCloudInbound.count({ where: { id: 'wamid.same-three-times' } }),
      ).toBe(1);
      expect(
        log.lines.filter((l) => l.includes('redelivered a message already received')),
      ).toHaveLength(2);
    });

    it('answers a message Meta delivers a day late once, by template, logging no number', async () => {
      const customer = newCustomer('Paula Reis');
      const wrote = Date.now() - 26 * 3600_000;
      for (let i = 0; i < 3; i++) {
        const late = await customer.text('oi', { id: 'wamid.a-day-late', at: wrote });
        expect(late.status).toBe(200);
        await idle();
      }
      const sent = cloud.messagesTo(customer.waId);
      expect(sent.map((m) => m.type)).toEqual(['template']);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [
          {
            parameters: [
              { text: 'Paula' },
              { text: expect.stringMatching(/Como posso te ajudar/) as string },
            ],
          },
        ],
      });
      expect(
        log.lines.filter((l) =>
          l.includes('answered after the 24-hour window closed, by template'),
        ),
      ).toHaveLength(1);
      expect(log.text()).not.toContain(customer.waId);
      expect(log.text()).not.toContain('Paula');
    });

    it('answers once when the three deliveries arrive at the same time', async () => {
      const customer = newCustomer();
      const results = await Promise.all(
        [1, 2, 3].map(() => customer.text('oi', { id: 'wamid.concurrent' })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      await idle();
      const greetings = cloud.messagesTo(customer.waId).filter((m) => /Olá/.test(visibleText(m)));
      expect(greetings).toHaveLength(1);
    });
  });

  describe('answering fast', () => {
    it('answers Meta before the reply is sent, so a slow Graph API never delays the webhook', async () => {
      const customer = newCustomer();
      cloud.failNext('messages', { hang: true });
      const started = Date.now();
      const { status } = await customer.text('oi');
      expect(status).toBe(200);
      // The reply is still hanging at the Graph API (the client waits up to 10 s for it).
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(cloud.messagesTo(customer.waId)).toEqual([]);
    });
  });

  describe('bad input', () => {
    it('answers 400 to a signed body that is not JSON', async () => {
      const raw = '{"object": "whatsapp_business_account", ';
      const res = await postRaw(raw);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'request body is not valid JSON' });
    });

    it('answers 413 to a body over BODY_LIMIT', async () => {
      const raw = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [],
        pad: 'x'.repeat(70_000),
      });
      const res = await postRaw(raw);
      expect(res.status).toBe(413);
    });

    it("accepts and ignores another number's events, unknown fields and other objects", async () => {
      const customer = newCustomer();
      const other = cloud.envelope(
        {
          messages: [
            {
              from: customer.waId,
              id: 'wamid.other-number',
              timestamp: '1772366400',
              type: 'text',
              text: { body: 'oi' },
            },
          ],
        },
        '999999999999',
      );
      for (const payload of [
        other,
        {
          object: 'whatsapp_business_account',
          entry: [
            { id: '1', changes: [{ field: 'account_update', value: { event: 'VERIFIED' } }] },
          ],
        },
        { object: 'page', entry: [] },
      ]) {
        const res = await cloud.post(payload);
        expect(res.status).toBe(200);
      }
      await idle();
      expect(cloud.messagesTo(customer.waId)).toEqual([]);
    });

    it('answers an unknown message type, a location without coordinates and a voice note kindly, once each', async () => {
      const customer = newCustomer();
      await customer.text('oi');
      await idle();
      for (const act of [
        () =>
          customer.send({
            type: 'unsupported',
            errors: [{ code: 131051, title: 'Message type unknown' }],
          }),
        () => customer.send({ type: 'location', location: { name: 'Casa' } }),
        () => customer.voice(),
      ]) {
        const before = cloud.messagesTo(customer.waId).length;
        expect((await act()).status).toBe(200);
        await idle();
        const replies = cloud.messagesTo(customer.waId).slice(before);
        expect(
          replies.filter((m) => /não consigo ouvir áudios|não entendi/i.test(visibleText(m))),
        ).toHaveLength(1);
      }
      expect(log.text()).not.toContain(customer.waId);
    });
  });

  describe('delivery statuses', () => {
    it('records sent, delivered and read, never going backwards', async () => {
      const customer = newCustomer();
      await customer.text('oi');
      await idle();
      const [message] = cloud.messagesTo(customer.waId);
      const status = (s: string) =>
        cloud.post(
          cloud.envelope({
            statuses: [
              { id: message!.id, status: s, timestamp: '1772366500', recipient_id: customer.waId },
            ],
          }),
        );
      const row = () =>
        server.ctx.db.whatsAppCloudOutbound.findUniqueOrThrow({ where: { id: message!.id } });
      expect((await row()).status).toBe('accepted');
      await status('delivered');
      expect((await row()).status).toBe('delivered');
      await status('read');
      await status('sent');
      expect((await row()).status).toBe('read');
      expect((await status('read')).status).toBe(200);
      // A status for a message we do not know (another system's) is ignored.
      const foreign = await cloud.post(
        cloud.envelope({
          statuses: [
            { id: 'wamid.unknown', status: 'read', timestamp: '1', recipient_id: customer.waId },
          ],
        }),
      );
      expect(foreign.status).toBe(200);
    });
  });
});
