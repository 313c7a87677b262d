import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../../src/bot/conversation/messages.js';
import { createTelegramChannel, type TelegramChannel } from '../../src/bot/telegram/telegraf.js';
import { telegramWebhookRouter } from '../../src/bot/telegram/webhook-router.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { captureLogger } from './capture-logger.js';

const CUSTOMER = { id: 5511987654321, is_bot: false, first_name: 'Maria', last_name: 'Souza' };
const PRIVATE_CHAT = { id: 5511987654321, type: 'private', first_name: 'Maria' };

function textMessage(text: string, messageId: number, chat: object = PRIVATE_CHAT) {
  return { message: { message_id: messageId, date: 1_760_000_000, chat, from: CUSTOMER, text } };
}

/** Stands in for the conversation engine: records what it got, answers with structured replies. */
class EchoHandler implements ConversationHandler {
  readonly received: InboundMessage[] = [];
  /** Per text, how long to think before answering (to provoke reordering). */
  delays = new Map<string, number>();

  async handle(message: InboundMessage): Promise<OutboundMessage[]> {
    this.received.push(message);
    switch (message.kind) {
      case 'text': {
        await new Promise((r) => setTimeout(r, this.delays.get(message.text) ?? 0));
        if (message.text === 'onde') {
          return [
            {
              kind: 'request-location',
              text: 'Me envie a localização do imóvel.',
              findmeUrl: 'https://alcance.example/f/abc123',
            },
          ];
        }
        return [
          {
            kind: 'text',
            text: `Você disse: ${message.text}`,
            options: [
              { key: '1', label: 'Sim' },
              { key: '2', label: 'Não' },
            ],
          },
        ];
      }
      case 'location':
        return [{ kind: 'location', point: message.point }];
      case 'contact':
      case 'findme-location':
      case 'unsupported':
        return [{ kind: 'text', text: `Não consigo ler ${message.kind}.` }];
    }
  }
}

let fake: FakeTelegram;
let channel: TelegramChannel | undefined;
let handler: EchoHandler;
let logs: ReturnType<typeof captureLogger>;

beforeEach(async () => {
  fake = await FakeTelegram.start();
  handler = new EchoHandler();
  logs = captureLogger();
});

afterEach(async () => {
  await channel?.stop();
  channel = undefined;
  await fake.close();
});

function pollingChannel() {
  channel = createTelegramChannel(
    { token: fake.token, apiRoot: fake.apiRoot },
    handler,
    logs.logger,
    { retry: { baseDelayMs: 10, maxDelayMs: 50 } },
  );
  return channel;
}

describe('TelegramChannel, long polling through the real telegraf', () => {
  it('removes any webhook, polls, and answers a text with a numbered menu and inline buttons', async () => {
    await pollingChannel().start();
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);
    fake.pushUpdate(textMessage('oi', 10));

    const [sent] = await fake.waitForCalls('sendMessage', 1);
    expect(sent?.payload).toEqual({
      chat_id: '5511987654321',
      text: 'Você disse: oi\n\n1. Sim\n2. Não',
      reply_markup: {
        inline_keyboard: [
          [{ text: '1. Sim', callback_data: '1' }],
          [{ text: '2. Não', callback_data: '2' }],
        ],
      },
    });
    expect(handler.received).toEqual([
      {
        channel: 'telegram',
        chatId: '5511987654321',
        messageId: '10',
        sentAt: new Date(1_760_000_000 * 1000),
        senderName: 'Maria Souza',
        kind: 'text',
        text: 'oi',
      },
    ]);
    // The polling asked only for what the bot handles.
    expect(fake.callsOf('getUpdates')[0]?.payload.allowed_updates).toEqual([
      'message',
      'callback_query',
    ]);
  });

  it('asks for a location with a request_location keyboard and answers a location with sendLocation', async () => {
    await pollingChannel().start();
    fake.pushUpdate(textMessage('onde', 11));
    const asks = await fake.waitForCalls('sendMessage', 2);
    expect(asks[0]?.payload.reply_markup).toEqual({
      keyboard: [[{ text: '📍 Enviar minha localização', request_location: true }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    });
    expect(asks[1]?.payload).toMatchObject({
      text: 'Se preferir, marque o local no mapa:\nhttps://alcance.example/f/abc123',
      reply_markup: {
        inline_keyboard: [[{ text: '🗺️ Marcar no mapa', url: 'https://alcance.example/f/abc123' }]],
      },
    });

    fake.pushUpdate({
      message: {
        message_id: 12,
        date: 1_760_000_100,
        chat: PRIVATE_CHAT,
        from: CUSTOMER,
        location: { latitude: -23.5614, longitude: -46.6559 },
      },
    });
    const [located] = await fake.waitForCalls('sendLocation', 1);
    expect(located?.payload).toEqual({
      chat_id: '5511987654321',
      latitude: -23.5614,
      longitude: -46.6559,
    });
    expect(handler.received.at(-1)).toMatchObject({
      kind: 'location',
      point: { lat: -23.5614, lng: -46.6559 },
    });
  });

  it('turns a pressed inline button into the option key and answers the callback query', async () => {
    await pollingChannel().start();
    fake.pushUpdate({
      callback_query: {
        id: 'cbq-1',
        from: CUSTOMER,
        chat_instance: '42',
        data: '2',
        message: { message_id: 3, date: 1_760_000_000, chat: PRIVATE_CHAT, text: 'menu' },
      },
    });
    await fake.waitForCalls('sendMessage', 1);
    await fake.waitForCalls('answerCallbackQuery', 1);
    expect(fake.callsOf('answerCallbackQuery')[0]?.payload).toEqual({ callback_query_id: 'cbq-1' });
    expect(handler.received[0]).toMatchObject({ kind: 'text', text: '2', messageId: 'cb:cbq-1' });
  });

  it('ignores group chats and keeps replies of one chat in order even when handling is uneven', async () => {
    await pollingChannel().start();
    handler.delays.set('primeira', 300);
    fake.pushUpdate(
      textMessage('no grupo', 20, { id: -100123, type: 'supergroup', title: 'Vizinhos' }),
    );
    fake.pushUpdate(textMessage('primeira', 21));
    fake.pushUpdate(textMessage('segunda', 22));
    const sent = await fake.waitForCalls('sendMessage', 2);
    expect(sent.map((c) => (c.payload.text as string).split('\n')[0])).toEqual([
      'Você disse: primeira',
      'Você disse: segunda',
    ]);
    expect(handler.received.map((m) => m.kind === 'text' && m.text)).toEqual([
      'primeira',
      'segunda',
    ]);
  });

  it('honours a 429 retry_after before sending again', async () => {
    await pollingChannel().start();
    fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    fake.pushUpdate(textMessage('oi', 30));
    const [delivered] = await fake.waitForCalls('sendMessage', 1);
    const attempts = fake.callsOf('sendMessage');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.failedWith).toBe(429);
    expect(delivered!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(delivered?.payload).toEqual(attempts[0]?.payload);
  });

  it('retries a 5xx with backoff and gives up on a 400 without retrying', async () => {
    await pollingChannel().start();
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    fake.pushUpdate(textMessage('oi', 40));
    await fake.waitForCalls('sendMessage', 1);
    expect(fake.callsOf('sendMessage').map((c) => c.failedWith)).toEqual([502, undefined]);

    await expect(channel!.send('123', [{ kind: 'text', text: '' }])).rejects.toThrow(
      /message text is empty/,
    );
    expect(fake.callsOf('sendMessage').filter((c) => c.failedWith === 400)).toHaveLength(1);
  });

  it('fails to start with a logged hint when the token is refused', async () => {
    channel = createTelegramChannel(
      { token: '999:wrong-token', apiRoot: fake.apiRoot },
      handler,
      logs.logger,
    );
    await expect(channel.start()).rejects.toThrow(/401/);
    expect(logs.text()).toContain('TELEGRAM_BOT_TOKEN');
    expect(fake.callsOf('getMe')).toHaveLength(1);
  });

  it('stops polling on 409 with a hint, and keeps chat ids out of the log', async () => {
    await pollingChannel().start();
    fake.pushUpdate(textMessage('oi', 50));
    await fake.waitForCalls('sendMessage', 1);
    fake.failNext('getUpdates', {
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request',
    });
    fake.pushUpdate(textMessage('oi de novo', 51));
    await expect.poll(() => channel!.isRunning, { timeout: 5000 }).toBe(false);
    expect(logs.text()).toMatch(/another instance is polling/);
    expect(logs.text()).not.toContain('5511987654321');
    expect(logs.text()).not.toContain('Maria');
  });

  it('sends asynchronous messages (the FindME hand-back) as a ChannelSender', async () => {
    await pollingChannel().start();
    await channel!.send('777', [
      { kind: 'text', text: 'Recebemos o ponto que você marcou.' },
      {
        kind: 'location',
        point: { lat: -23.5, lng: -46.6 },
        title: 'Seu imóvel',
        address: 'Rua Augusta, 100',
      },
    ]);
    expect(fake.callsOf('sendMessage')[0]?.payload).toEqual({
      chat_id: '777',
      text: 'Recebemos o ponto que você marcou.',
    });
    expect(fake.callsOf('sendVenue')[0]?.payload).toEqual({
      chat_id: '777',
      latitude: -23.5,
      longitude: -46.6,
      title: 'Seu imóvel',
      address: 'Rua Augusta, 100',
    });
  });
});

describe('TelegramChannel, webhook mode', () => {
  let server: Server;
  let base: string;

  beforeEach(async () => {
    channel = createTelegramChannel(
      {
        token: fake.token,
        apiRoot: fake.apiRoot,
        webhook: { url: 'https://bot.alcance.example/telegram/webhook', secret: 's3cret_Token-1' },
      },
      handler,
      logs.logger,
    );
    const app = express();
    app.use(express.json());
    app.use('/', telegramWebhookRouter(channel));
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.close();
    await once(server, 'close');
  });

  function post(body: unknown, secret?: string) {
    return fetch(`${base}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }),
      },
      body: JSON.stringify(body),
    });
  }

  it('registers the webhook with its secret and does not poll', async () => {
    await channel!.start();
    expect(fake.webhook).toEqual({
      url: 'https://bot.alcance.example/telegram/webhook',
      secret_token: 's3cret_Token-1',
    });
    expect(fake.callsOf('setWebhook')[0]?.payload.allowed_updates).toEqual([
      'message',
      'callback_query',
    ]);
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('handles an update posted with the right secret and answers through the Bot API', async () => {
    await channel!.start();
    const res = await post({ update_id: 900, ...textMessage('oi', 60) }, 's3cret_Token-1');
    expect(res.status).toBe(200);
    // The route answers after handling, so the reply has already been sent.
    expect(fake.callsOf('sendMessage')).toHaveLength(1);
    expect(handler.received).toHaveLength(1);

    // Telegram redelivers when unsure: the same update_id is handled once.
    const again = await post({ update_id: 900, ...textMessage('oi', 60) }, 's3cret_Token-1');
    expect(again.status).toBe(200);
    expect(handler.received).toHaveLength(1);
  });

  it('refuses a wrong or missing secret without handling the update', async () => {
    await channel!.start();
    expect((await post({ update_id: 901, ...textMessage('oi', 61) }, 'wrong')).status).toBe(401);
    expect((await post({ update_id: 902, ...textMessage('oi', 62) })).status).toBe(401);
    expect((await post({ hello: 'world' }, 's3cret_Token-1')).status).toBe(400);
    expect(handler.received).toHaveLength(0);
    expect(fake.callsOf('sendMessage')).toHaveLength(0);
  });
});
