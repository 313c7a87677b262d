/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// The hand-off made real, through the assembled server and the simulated Telegram Bot API:
// "atendente" queues the chat and the customer is told the truth (position, or when the team is
// in); an agent takes it (a second agent is refused), replies through Telegram, and hands it back
// to the bot; "menu" still works while waiting; an unanswered hand-off escalates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import type { Json } from '../support/server.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { startSalesServer, type SalesServer, type Session } from './harness.js';

describe.each(testProviders())('hand-off to a person on %s', (provider) => {
  let fake: FakeTelegram;
  let server: SalesServer;
  let bruno: Session;
  let carla: Session;
  let messageId = 1;

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    server = await startSalesServer(provider, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      SALES_HANDOFF_ESCALATE_MINUTES: '10',
    });
    bruno = await server.login('bruno');
    carla = await server.login('carla');
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  const chat = (id: number) => ({ id, type: 'private', first_name: 'Cliente' });
  const from = (id: number, name: string) => ({ id, is_bot: false, first_name: name });

  /** The customer writes; resolves with the bot's replies once `expected` shows up (or after a pause when null). */
  async function say(
    chatId: number,
    name: string,
    text: string,
    expected: RegExp | null,
  ): Promise<string[]> {
    const before = fake
      .callsOf('sendMessage')
      .filter((c) => String(c.payload.chat_id) === String(chatId)).length;
    fake.pushUpdate({
      message: {
        message_id: messageId++,
        date: 1_764_590_000,
        chat: chat(chatId),
        from: from(chatId, name),
        text,
      },
    });
    const deadline = Date.now() + (expected ? 15_000 : 600);
    for (;;) {
      const texts = fake
        .callsOf('sendMessage')
        .filter((c) => String(c.payload.chat_id) === String(chatId))
        .slice(before)
        .map((c) => String(c.payload.text));
      if (expected && texts.some((t) => expected.test(t))) return texts;
      if (Date.now() > deadline) {
        if (expected)
          throw new Error(`no reply matching ${expected} after ${JSON.stringify(texts)}`);
        return texts;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const queue = async () => (await server.call(bruno, 'GET', '/sales/api/handoffs')).body;

  it('queues, tells the position, one agent takes it, replies through Telegram, hands back to the bot', async () => {
    await say(1001, 'Joana', 'oi', /Como posso te ajudar/);
    const first = await say(1001, 'Joana', 'atendente', /fila/);
    expect(first.at(-1)).toMatch(/Você é o 1º da fila/);
    const second = await say(1002, 'Pedro', 'atendente', /fila/);
    expect(second.at(-1)).toMatch(/Você é o 2º da fila/);

    const open = await queue();
    expect(open.map((h: Json) => [h.channel, h.status, h.position])).toEqual([
      ['telegram', 'waiting', 1],
      ['telegram', 'waiting', 2],
    ]);
    const joana = open[0].id;
    // handoff.requested went to the outbox for webhooks and the live feed.
    expect(await server.ctx.db.salesEvent.count({ where: { type: 'handoff.requested' } })).toBe(2);

    // While waiting the bot stays quiet, and what the customer writes is in the transcript.
    expect(await say(1001, 'Joana', 'alguém aí?', null)).toEqual([]);

    const taken = await server.call(bruno, 'POST', `/sales/api/handoffs/${joana}/take`);
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'taken', takenBy: 'bruno' });
    expect(taken.body.transcript.map((l: Json) => [l.author, l.text])).toContainEqual([
      'customer',
      'alguém aí?',
    ]);
    const twice = await server.call(carla, 'POST', `/sales/api/handoffs/${joana}/take`);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({
      message: 'Este atendimento já está com bruno.',
      current: { status: 'taken', takenBy: 'bruno' },
    });
    expect(
      (await server.call(carla, 'POST', `/sales/api/handoffs/${joana}/reply`, { text: 'oi' }))
        .status,
    ).toBe(409);
    expect(
      (await server.call(bruno, 'POST', `/sales/api/handoffs/${joana}/reply`, { text: '   ' }))
        .body,
    ).toMatchObject({ field: 'text' });

    const before = fake.callsOf('sendMessage').length;
    const reply = await server.call(bruno, 'POST', `/sales/api/handoffs/${joana}/reply`, {
      text: 'Olá, Joana! Aqui é o Bruno, da equipe de vendas. Como posso ajudar?',
    });
    expect(reply.status).toBe(200);
    const sent = fake.callsOf('sendMessage').slice(before);
    expect(sent.map((c) => [c.payload.chat_id, c.payload.text])).toEqual([
      ['1001', 'Olá, Joana! Aqui é o Bruno, da equipe de vendas. Como posso ajudar?'],
    ]);
    expect(reply.body.transcript.at(-1)).toMatchObject({
      author: 'agent',
      agentName: 'bruno',
      text: 'Olá, Joana! Aqui é o Bruno, da equipe de vendas. Como posso ajudar?',
    });

    // Joana answers the person, not the bot.
    expect(await say(1001, 'Joana', 'quero saber do plano de 500 mega', null)).toEqual([]);

    const back = await server.call(bruno, 'POST', `/sales/api/handoffs/${joana}/hand-back`);
    expect(back.body.status).toBe('returned');
    const notice = fake
      .callsOf('sendMessage')
      .filter((c) => String(c.payload.chat_id) === '1001')
      .at(-1);
    expect(String(notice?.payload.text)).toMatch(
      /^Pronto! Você voltou para o atendimento automático/,
    );
    await say(1001, 'Joana', 'oi', /Como posso te ajudar/);
    expect(
      (await server.call(carla, 'POST', `/sales/api/handoffs/${joana}/close`)).body.message,
    ).toBe('Este atendimento já foi encerrado por bruno.');

    const audit = (await server.call(bruno, 'GET', '/sales/api/audit?subjectType=handoff')).body;
    expect(audit.map((e: Json) => [e.action, e.actor.name])).toEqual([
      ['handoff.hand-back', 'bruno'],
      ['handoff.reply', 'bruno'],
      ['handoff.take', 'bruno'],
    ]);
  });

  it('"menu" while waiting takes the customer out of the queue and back to the bot', async () => {
    const pedro = (await queue()).find((h: Json) => h.status === 'waiting');
    expect(pedro).toBeDefined();
    await say(1002, 'Pedro', 'menu', /Como posso te ajudar/);
    const detail = await server.call(bruno, 'GET', `/sales/api/handoffs/${pedro.id}`);
    expect(detail.body).toMatchObject({ status: 'cancelled', endedBy: 'cliente' });
    const take = await server.call(bruno, 'POST', `/sales/api/handoffs/${pedro.id}/take`);
    expect(take).toMatchObject({
      status: 409,
      body: { message: 'O cliente saiu da fila (voltou ao menu ou cancelou).' },
    });
  });

  it('outside business hours the customer is told when the team is in; waiting escalates in business time', async () => {
    // Saturday 13:00 in São Paulo: closed until Monday 08:00.
    server.clock.set('2026-12-05T16:00:00Z');
    const texts = await say(1003, 'Lucas', 'atendente', /volta a atender/);
    expect(texts.at(-1)).toBe(
      'Certo! Nossa equipe volta a atender segunda-feira, 08:00 🙋 Seu pedido ficou registrado e vão te responder aqui mesmo.',
    );
    // All weekend nobody is in: no escalation.
    server.clock.set('2026-12-07T10:59:00Z'); // Monday 07:59
    expect(await server.sales.handoffs.escalate()).toBe(0);
    server.clock.set('2026-12-07T11:09:00Z'); // 9 business minutes
    expect(await server.sales.handoffs.escalate()).toBe(0);
    server.clock.set('2026-12-07T11:10:00Z'); // 10
    expect(await server.sales.handoffs.escalate()).toBe(1);
    expect(await server.sales.handoffs.escalate()).toBe(0);
    const event = await server.ctx.db.salesEvent.findFirstOrThrow({
      where: { type: 'handoff.escalated' },
    });
    expect(JSON.parse(event.payloadJson).handoff).toMatchObject({
      channel: 'telegram',
      waitingMinutes: 10,
    });
    bruno = await server.login('bruno'); // the weekend outlasted the session
    const lucas = (await queue()).find((h: Json) => h.status === 'waiting');
    expect(lucas).toMatchObject({ escalated: true, waitingMinutes: 10, position: 1 });
  });
});
