// The Cloud channel's behaviour under Meta's limits and failures: the production channel, store
// and client, a real database and the simulated Graph API; time is a fake clock the channel's
// pacing and retries sleep on.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, type WhatsAppCloudConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type {
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../../src/bot/conversation/messages.js';
import { WhatsAppCloudChannel, type CloudAlert } from '../../src/bot/whatsapp-cloud/channel.js';
import { createCloudApi, type CloudApi } from '../../src/bot/whatsapp-cloud/cloud-api.js';
import { CloudStore } from '../../src/bot/whatsapp-cloud/store.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { FakeWhatsAppCloud, visibleText } from '../support/fake-whatsapp-cloud.js';

const T0 = Date.parse('2026-03-02T12:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A handler that answers every message with the replies queued for it. */
class ScriptedHandler implements ConversationHandler {
  readonly received: InboundMessage[] = [];
  replies: OutboundMessage[] = [{ kind: 'text', text: 'Olá!' }];
  handle(message: InboundMessage): Promise<OutboundMessage[]> {
    this.received.push(message);
    return Promise.resolve(this.replies);
  }
}

describe('WhatsApp Cloud API channel', () => {
  let database: TestDatabase;
  let cloud: FakeWhatsAppCloud;
  let fake: number;
  let handler: ScriptedHandler;
  let alerts: CloudAlert[];
  let sends: Array<{ to: string; at: number; type: string }>;
  let channel: WhatsAppCloudChannel;
  let store: CloudStore;
  let config: WhatsAppCloudConfig;
  let waId = 5544910000000;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
  });
  afterAll(() => database.drop());

  function build(options: { pairRate?: { max: number; windowMs: number }; retries?: number } = {}) {
    return FakeWhatsAppCloud.start({
      now: () => fake,
      ...(options.pairRate ? { pairRate: options.pairRate } : {}),
    }).then((started) => {
      cloud = started;
      config = loadConfig({ ...cloud.env(), DATABASE_URL: 'file:./unused.db' }).whatsappCloud!;
      const api = createCloudApi(config, { timeoutMs: 2_000 });
      const recording: CloudApi = {
        ...api,
        send: (to, message) => {
          sends.push({ to, at: fake, type: message.type });
          return api.send(to, message);
        },
      };
      store = new CloudStore(database.db);
      channel = new WhatsAppCloudChannel({
        config,
        api: recording,
        store,
        handler,
        logger: createLogger('silent'),
        now: () => new Date(fake),
        clockMs: () => fake,
        sleep: (ms) => {
          fake += ms;
          return Promise.resolve();
        },
        retry: { maxAttempts: options.retries ?? 5 },
        onAlert: (alert) => alerts.push(alert),
      });
    });
  }

  beforeEach(async () => {
    fake = T0;
    handler = new ScriptedHandler();
    alerts = [];
    sends = [];
    await build();
  });
  afterEach(() => cloud.close());

  /** A customer message as Meta's webhook carries it, fed to the channel. */
  async function customerSays(from: string, text: string, id = cloud.nextMessageId()) {
    cloud.customerWrote(from, fake);
    const summary = await channel.receive(
      cloud.envelope({
        contacts: [{ profile: { name: 'Maria Souza' }, wa_id: from }],
        messages: [
          {
            from,
            id,
            timestamp: String(Math.floor(fake / 1000)),
            type: 'text',
            text: { body: text },
          },
        ],
      }),
    );
    await channel.whenIdle();
    return summary;
  }

  const newWaId = () => String(waId++);
  /** Records that the customer last wrote at `at` (their 24-hour window). */
  const wrote = (chatId: string, at: Date, profileName?: string) =>
    database.db.whatsAppCloudContact.upsert({
      where: { chatId },
      create: { chatId, lastInboundAt: at, profileName: profileName ?? null },
      update: { lastInboundAt: at },
    });

  describe('pacing', () => {
    it('sends one customer its replies in order, at least 250 ms apart', async () => {
      handler.replies = ['um', 'dois', 'três'].map((text) => ({ kind: 'text', text }));
      const to = newWaId();
      await customerSays(to, 'oi');
      expect(cloud.messagesTo(to).map(visibleText)).toEqual(['um', 'dois', 'três']);
      const times = sends.filter((s) => s.to === to).map((s) => s.at);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(250);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(250);
    });

    it('keeps the number within WHATSAPP_CLOUD_MESSAGES_PER_SECOND (80) across customers', async () => {
      // Only the pace is under test here: the API is a recorder answering at once, and time is
      // vitest's fake clock (the channel's queue sleeps on setTimeout).
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
      const at: number[] = [];
      const recorder: CloudApi = {
        send: () => {
          at.push(Date.now());
          return Promise.resolve({ messageId: `wamid.${at.length}` });
        },
        markRead: () => Promise.resolve(),
        templates: () => Promise.resolve([]),
        media: () => Promise.reject(new Error('unused')),
        download: () => Promise.reject(new Error('unused')),
      };
      try {
        const paced = new WhatsAppCloudChannel({
          config,
          api: recorder,
          store,
          handler,
          logger: createLogger('silent'),
        });
        const customers = Array.from({ length: 200 }, newWaId);
        for (const to of customers) await wrote(to, new Date());
        let done = false;
        const all = Promise.all(
          customers.map((to) => paced.send(to, [{ kind: 'text', text: 'aviso' }])),
        ).finally(() => (done = true));
        while (!done) {
          await vi.advanceTimersByTimeAsync(5);
          await new Promise((resolve) => setImmediate(resolve));
        }
        await all;
      } finally {
        vi.useRealTimers();
      }
      expect(at).toHaveLength(200);
      // 200 messages at 80 per second take about 2.5 s, and any 81 in a row span at least 1 s.
      expect(at[199]! - at[0]!).toBeGreaterThanOrEqual(2_450);
      for (let i = 0; i + 80 < at.length; i++) {
        expect(at[i + 80]! - at[i]!).toBeGreaterThanOrEqual(1000);
      }
    });

    it('waits 6 s after a pair-rate error (131056) and retries, delivering each reply once', async () => {
      await cloud.close();
      await build({ pairRate: { max: 2, windowMs: 6_000 } });
      handler.replies = ['um', 'dois', 'três'].map((text) => ({ kind: 'text', text }));
      const to = newWaId();
      await customerSays(to, 'oi');
      expect(cloud.messagesTo(to).map(visibleText)).toEqual(['um', 'dois', 'três']);
      const refused = cloud.calls.filter((c) => c.error?.code === 131056);
      expect(refused).toHaveLength(1);
      const times = sends.filter((s) => s.to === to).map((s) => s.at);
      // The third send was refused, then tried again 6 s later.
      expect(times).toHaveLength(4);
      expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(6_000);
    });
  });

  describe('failures', () => {
    const failure = (code: number, status = 500) => ({ status, error: { code } });

    it('postpones replies while Meta fails and finishes them later, without repeating what went out', async () => {
      await cloud.close();
      await build({ retries: 2 });
      handler.replies = ['um', 'dois', 'três'].map((text) => ({ kind: 'text', text }));
      const to = newWaId();
      // "um" goes; both attempts at "dois" fail: the rest waits for the inbox job.
      cloud.failNext('messages', failure(131000), { after: 1 });
      cloud.failNext('messages', failure(131000));
      const id = cloud.nextMessageId();
      await customerSays(to, 'oi', id);
      expect(cloud.messagesTo(to).map(visibleText)).toEqual(['um']);
      const row = await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ state: 'replying', sentCount: 1, messageJson: null });

      // Not before its retry time...
      expect(await channel.recover()).toBe(0);
      fake += 2 * 60_000;
      expect(await channel.recover()).toBe(1);
      expect(cloud.messagesTo(to).map(visibleText)).toEqual(['um', 'dois', 'três']);
      expect(handler.received).toHaveLength(1);
      expect(
        await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } }),
      ).toMatchObject({
        state: 'done',
        repliesJson: null,
      });
    });

    it('postpones a late answer while Meta fails and sends its template later, once', async () => {
      await cloud.close();
      await build({ retries: 2 });
      const to = newWaId();
      const wroteAt = fake - 30 * HOUR;
      cloud.failNext('messages', failure(131000));
      cloud.failNext('messages', failure(131000));
      const id = cloud.nextMessageId();
      await channel.receive(
        cloud.envelope({
          contacts: [{ profile: { name: 'Maria Souza' }, wa_id: to }],
          messages: [
            { from: to, id, timestamp: String(wroteAt / 1000), type: 'text', text: { body: 'oi' } },
          ],
        }),
      );
      await channel.whenIdle();
      expect(cloud.messagesTo(to)).toEqual([]);
      expect(
        await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } }),
      ).toMatchObject({ state: 'replying', sentCount: 0 });

      fake += 2 * 60_000;
      expect(await channel.recover()).toBe(1);
      expect(await channel.recover()).toBe(0);
      const sent = cloud.messagesTo(to);
      expect(sent.map((m) => m.type)).toEqual(['template']);
      expect(sent[0]?.body.template).toMatchObject({ name: 'alcance_resposta_atendimento' });
      expect(handler.received).toHaveLength(1);
      expect(
        await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } }),
      ).toMatchObject({ state: 'done' });
    });

    it('answers what it stored when the database fails mid-batch, and the redelivery the rest', async () => {
      const to = newWaId();
      cloud.customerWrote(to, fake);
      const realRecord = store.recordInbound.bind(store);
      let failOnce = true;
      store.recordInbound = (message, at, claim) => {
        if (message.messageId === 'wamid.batch-2' && failOnce) {
          failOnce = false;
          return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
        }
        return realRecord(message, at, claim);
      };
      handler.replies = [{ kind: 'text', text: 'ok' }];
      const batch = cloud.envelope({
        messages: ['wamid.batch-1', 'wamid.batch-2'].map((id) => ({
          from: to,
          id,
          timestamp: String(Math.floor(fake / 1000)),
          type: 'text',
          text: { body: id },
        })),
      });
      // The route turns this into a 500, so Meta delivers the batch again.
      await expect(channel.receive(batch)).rejects.toThrow(/database is locked/);
      await channel.whenIdle();
      expect(handler.received.map((m) => m.messageId)).toEqual(['wamid.batch-1']);
      await expect(channel.receive(batch)).resolves.toMatchObject({ accepted: 1, duplicates: 1 });
      await channel.whenIdle();
      expect(handler.received.map((m) => m.messageId)).toEqual(['wamid.batch-1', 'wamid.batch-2']);
      expect(cloud.messagesTo(to)).toHaveLength(2);
    });

    it('answers messages a process stored but never answered (it died), by template past the window, and gives up after a week', async () => {
      const to = newWaId();
      cloud.customerWrote(to, fake);
      const message: InboundMessage = {
        channel: 'whatsapp-cloud',
        chatId: to,
        messageId: 'wamid.left-behind',
        sentAt: new Date(fake - 5 * 60_000),
        kind: 'text',
        text: 'oi',
        senderName: 'Maria Souza',
      };
      await store.recordInbound(message, new Date(fake - 5 * 60_000), 2 * 60_000);
      const old = { ...message, messageId: 'wamid.too-old', sentAt: new Date(fake - 24 * HOUR) };
      await store.recordInbound(old, new Date(fake - 24 * HOUR), 2 * 60_000);
      const ancient = { ...message, messageId: 'wamid.ancient', sentAt: new Date(fake - 8 * DAY) };
      await store.recordInbound(ancient, new Date(fake - 8 * DAY), 2 * 60_000);

      expect(await channel.recover()).toBe(3);
      expect(handler.received.map((m) => m.messageId)).toEqual([
        'wamid.too-old',
        'wamid.left-behind',
      ]);
      expect(handler.received[1]?.sentAt).toEqual(message.sentAt);
      const sent = cloud.messagesTo(to);
      expect(sent.map((m) => m.type)).toEqual(['template', 'text']);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [{ parameters: [{ text: 'Maria' }, { text: 'Olá!' }] }],
      });
      expect(visibleText(sent[1]!)).toBe('Olá!');
      const states = await database.db.whatsAppCloudInbound.findMany({
        where: { id: { in: ['wamid.left-behind', 'wamid.too-old', 'wamid.ancient'] } },
        select: { id: true, state: true },
        orderBy: { id: 'asc' },
      });
      expect(states).toEqual([
        { id: 'wamid.ancient', state: 'failed' },
        { id: 'wamid.left-behind', state: 'done' },
        { id: 'wamid.too-old', state: 'done' },
      ]);
    });

    it('raises one alert when the token expires, keeps the replies for later and shows it in the status', async () => {
      cloud.expireToken();
      const to = newWaId();
      const id = cloud.nextMessageId();
      await customerSays(to, 'oi', id);
      await customerSays(to, 'alô');
      expect(alerts).toEqual([
        {
          kind: 'token',
          code: 190,
          message: expect.stringContaining('WHATSAPP_CLOUD_ACCESS_TOKEN') as string,
        },
      ]);
      expect(channel.status()).toMatchObject({
        state: 'token-invalid',
        lastAlert: { kind: 'token', code: 190 },
      });
      expect(cloud.messagesTo(to)).toEqual([]);
      expect(
        await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } }),
      ).toMatchObject({
        state: 'replying',
      });
    });

    it('sends the numbered text when Meta refuses an interactive message', async () => {
      handler.replies = [
        {
          kind: 'text',
          text: 'Quer reservar?',
          options: [
            { key: '1', label: 'Sim, quero reservar' },
            { key: '2', label: 'Não, agora não' },
          ],
        },
      ];
      cloud.failNext('messages', failure(131009, 400));
      const to = newWaId();
      await customerSays(to, 'oi');
      const [sent] = cloud.messagesTo(to);
      expect(sent?.type).toBe('text');
      expect(visibleText(sent!)).toBe(
        'Quer reservar?\n\n1. Sim, quero reservar\n2. Não, agora não',
      );
    });

    it('drops a reply the customer cannot receive instead of retrying it forever', async () => {
      cloud.failNext('messages', failure(131026, 400));
      handler.replies = [{ kind: 'text', text: 'um' }];
      const to = newWaId();
      const id = cloud.nextMessageId();
      await customerSays(to, 'oi', id);
      expect(
        await database.db.whatsAppCloudInbound.findUniqueOrThrow({ where: { id } }),
      ).toMatchObject({
        state: 'done',
      });
    });
  });

  describe('the 24-hour window', () => {
    it('sends a late message as the hand-off template, carrying its text', async () => {
      const to = newWaId();
      await wrote(to, new Date(fake - 25 * HOUR), 'Maria Souza');
      await channel.send(to, [{ kind: 'text', text: 'Temos horário amanhã.\nPode ser às 9h?' }]);
      const [sent] = cloud.messagesTo(to);
      expect(sent?.body.template).toEqual({
        name: 'alcance_resposta_atendimento',
        language: { code: 'pt_BR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Maria' },
              { type: 'text', text: 'Temos horário amanhã. Pode ser às 9h?' },
            ],
          },
        ],
      });
    });

    it('sends a message inside the window as it is', async () => {
      const to = newWaId();
      await wrote(to, new Date(fake - 2 * HOUR), 'Maria Souza');
      cloud.customerWrote(to, fake - 2 * HOUR);
      await channel.send(to, [{ kind: 'text', text: 'Temos horário amanhã.' }]);
      expect(cloud.messagesTo(to).map((m) => m.type)).toEqual(['text']);
    });

    it('replaces a message Meta reports as outside the window (131047) with the template, once', async () => {
      const to = newWaId();
      // Our record says the window is open; Meta knows better.
      await wrote(to, new Date(fake - 2 * HOUR), 'Maria Souza');
      cloud.webhookUrl = undefined;
      await channel.send(to, [{ kind: 'text', text: 'Sua instalação foi agendada.' }]);
      expect(cloud.messagesTo(to)).toEqual([]);
      const { id } = await database.db.whatsAppCloudOutbound.findFirstOrThrow({
        where: { chatId: to },
      });
      const failed = cloud.envelope({
        statuses: [
          {
            id,
            status: 'failed',
            timestamp: String(Math.floor(fake / 1000)),
            recipient_id: to,
            errors: [
              { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' },
            ],
          },
        ],
      });
      await channel.receive(failed);
      await channel.whenIdle();
      await channel.receive(failed);
      await channel.whenIdle();
      const sent = cloud.messagesTo(to);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [{ parameters: [{ text: 'Maria' }, { text: 'Sua instalação foi agendada.' }] }],
      });
    });

    /** A text message from `from` as Meta's webhook carries it, written at `at`. */
    const textAt = (from: string, id: string, at: number, body = 'oi') =>
      cloud.envelope({
        contacts: [{ profile: { name: 'Maria Souza' }, wa_id: from }],
        messages: [
          { from, id, timestamp: String(Math.floor(at / 1000)), type: 'text', text: { body } },
        ],
      });

    it('answers a message Meta delivers after the window closed with the hand-off template, once', async () => {
      const to = newWaId();
      const wroteAt = fake - 25 * HOUR;
      cloud.customerWrote(to, wroteAt);
      handler.replies = [
        { kind: 'text', text: 'Olá!' },
        {
          kind: 'text',
          text: 'Como posso ajudar?',
          options: [
            { key: '1', label: 'Planos' },
            { key: '2', label: 'Atendente' },
          ],
        },
      ];
      const late = textAt(to, 'wamid.late-oi', wroteAt);
      for (let i = 0; i < 3; i++) {
        await channel.receive(late);
        await channel.whenIdle();
      }
      // The engine saw it (what the customer said is not lost), and answered once, by template.
      expect(handler.received.map((m) => m.messageId)).toEqual(['wamid.late-oi']);
      const sent = cloud.messagesTo(to);
      expect(sent.map((m) => m.type)).toEqual(['template']);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [
          {
            parameters: [
              { text: 'Maria' },
              { text: 'Olá! Como posso ajudar? 1. Planos 2. Atendente' },
            ],
          },
        ],
      });
      const inbound = await database.db.whatsAppCloudInbound.findUniqueOrThrow({
        where: { id: 'wamid.late-oi' },
      });
      expect(inbound.state).toBe('done');
      expect((await store.contact(to))?.lastInboundAt).toEqual(
        new Date(wroteAt - (wroteAt % 1000)),
      );
    });

    it('answers a late message as it is when a newer one reopened the window, keeping the newer time', async () => {
      const to = newWaId();
      await customerSays(to, 'alô');
      const newer = (await store.contact(to))!.lastInboundAt;
      await channel.receive(textAt(to, 'wamid.late-2', fake - 26 * HOUR));
      await channel.whenIdle();
      expect(cloud.messagesTo(to).map((m) => m.type)).toEqual(['text', 'text']);
      expect((await store.contact(to))?.lastInboundAt).toEqual(newer);
    });

    it('keeps the window from the newest message when an older one arrives after it', async () => {
      const to = newWaId();
      await customerSays(to, 'alô');
      const newest = (await store.contact(to))!.lastInboundAt;
      cloud.customerWrote(to, fake - 2 * HOUR);
      await channel.receive(textAt(to, 'wamid.older', fake - 2 * HOUR));
      await channel.whenIdle();
      expect(cloud.messagesTo(to).map((m) => m.type)).toEqual(['text', 'text']);
      expect((await store.contact(to))?.lastInboundAt).toEqual(newest);
    });

    it('replaces an answer Meta reports outside the window (131047) with the template carrying all of it', async () => {
      const to = newWaId();
      // Meta has no record of the customer's message in the last day; ours says it just came.
      cloud.webhookUrl = undefined;
      handler.replies = [
        { kind: 'text', text: 'Olá!' },
        { kind: 'text', text: 'Qual é o seu endereço?' },
      ];
      await channel.receive(textAt(to, 'wamid.clock-skew', fake));
      await channel.whenIdle();
      expect(cloud.messagesTo(to)).toEqual([]);
      const rows = await database.db.whatsAppCloudOutbound.findMany({
        where: { chatId: to },
        orderBy: { createdAt: 'asc' },
      });
      expect(rows).toHaveLength(2);
      const statuses = rows.map((row) => ({
        id: row.id,
        status: 'failed',
        timestamp: String(Math.floor(fake / 1000)),
        recipient_id: to,
        errors: [
          { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' },
        ],
      }));
      await channel.receive(cloud.envelope({ statuses }));
      await channel.whenIdle();
      await channel.receive(cloud.envelope({ statuses }));
      await channel.whenIdle();
      const sent = cloud.messagesTo(to);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body.template).toMatchObject({
        name: 'alcance_resposta_atendimento',
        components: [{ parameters: [{ text: 'Maria' }, { text: 'Olá! Qual é o seu endereço?' }] }],
      });
    });

    it('sends notices as text in the window and as their template outside it', async () => {
      const open = newWaId();
      const closed = newWaId();
      await wrote(open, new Date(fake - HOUR));
      cloud.customerWrote(open, fake - HOUR);
      await wrote(closed, new Date(fake - 30 * HOUR));
      const notice = {
        kind: 'reservation-expiring' as const,
        name: 'João Lima',
        expiresAt: new Date('2026-03-09T15:00:00Z'),
      };
      await expect(channel.notify(open, notice)).resolves.toMatchObject({ as: 'text' });
      await expect(channel.notify(closed, notice)).resolves.toMatchObject({ as: 'template' });
      expect(visibleText(cloud.messagesTo(open)[0]!)).toMatch(/^Olá, João! .*09\/03\/2026/);
      expect(cloud.messagesTo(closed)[0]?.body.template).toMatchObject({
        name: 'alcance_reserva_expirando',
        components: [{ parameters: [{ text: 'João' }, { text: '09/03/2026' }] }],
      });
      // A customer who never wrote gets the template too.
      await expect(channel.notify(newWaId(), notice)).resolves.toMatchObject({ as: 'template' });
    });
  });

  describe('templates at start', () => {
    it('verifies the configured templates at Meta', async () => {
      await channel.prepare();
      expect(channel.status().templates).toBe('verified');
    });

    it('refuses to start with a template missing from the business account, naming it', async () => {
      cloud.templates.splice(
        cloud.templates.findIndex((t) => t.name === 'alcance_fibra_disponivel'),
        1,
      );
      const error = await channel.prepare().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE (alcance_fibra_disponivel): no template with this name in the WhatsApp Business Account',
      ]);
    });

    it('starts unverified, with an alert, when Meta cannot be reached', async () => {
      for (let i = 0; i < 3; i++) cloud.failNext('templates', { status: 503, error: { code: 2 } });
      await channel.prepare();
      expect(channel.status().templates).toBe('unverified');
      expect(alerts.map((a) => a.kind)).toEqual(['templates-unverified']);
    });
  });
});
