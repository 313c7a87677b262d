import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../src/bot/conversation/actions.js';
import {
  Customer,
  harness,
  NOT_VIABLE,
  textOf,
  toSummary,
  VALID_CPF,
  VALID_CPF_DIGITS,
} from './support.js';

describe('conversation: greeting and location', () => {
  it('greets with a numbered menu, by first name when the channel gives one', async () => {
    const h = harness();
    const c = new Customer(h.engine, 'c1', 'whatsapp', { senderName: 'Joana Prado' });
    const replies = await c.text('Oi, boa tarde!');
    const text = textOf(replies);
    expect(text).toContain('Olá, Joana!');
    expect(text).toContain('1. Consultar disponibilidade de fibra');
    expect(text).toContain('2. Falar com um atendente');
    expect(replies.at(-1)).toMatchObject({
      kind: 'text',
      options: [
        { key: '1', label: 'Consultar disponibilidade de fibra' },
        { key: '2', label: 'Falar com um atendente' },
      ],
    });
  });

  it.each(['1', '1.', '1)', ' 1 ', 'Consultar disponibilidade de fibra', 'quero internet'])(
    'menu option %j asks for the location with the app and FindME options',
    async (answer) => {
      const h = harness();
      const c = new Customer(h.engine);
      await c.text('oi');
      const replies = await c.text(answer);
      expect(h.findme.calls).toEqual([{ channel: 'telegram', chatId: 'chat-1' }]);
      const request = replies.find((r) => r.kind === 'request-location');
      expect(request).toMatchObject({ findmeUrl: 'https://findme.test/l/1' });
      expect(textOf(replies)).toContain('Envie a localização pelo aplicativo');
      expect(textOf(replies)).toContain('marque o ponto no mapa pelo link');
    },
  );

  it('explains how to share in the app (option 1) and re-sends the map link (option 2)', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    const app = await c.text('1');
    expect(app).toEqual([
      {
        kind: 'request-location',
        text: 'Combinado! Envie a localização da instalação pelo aplicativo 📍',
      },
    ]);
    const map = await c.text('2');
    expect(textOf(map)).toContain('https://findme.test/l/1');
    expect(h.findme.calls).toHaveLength(1);
  });

  it('asks for a new FindME link once the old one is about to expire', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    h.clock.advance(29 * 60_000);
    const map = await c.text('2');
    expect(h.findme.calls).toHaveLength(2);
    expect(textOf(map)).toContain('https://findme.test/l/2');
  });

  it('still offers the app option when the FindME link cannot be created', async () => {
    const h = harness();
    h.findme.fail = true;
    const c = new Customer(h.engine);
    await c.text('oi');
    const replies = await c.text('1');
    expect(textOf(replies)).toContain('Envie a localização pelo aplicativo');
    expect(textOf(replies)).toContain('O mapa está indisponível agora');
    expect(replies.find((r) => r.kind === 'request-location')).not.toHaveProperty('findmeUrl');
  });

  it('checks coverage for an app location at once, showing its address and a "wrong place" option', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    const answer = await c.location(-23.42, -51.93, 'Rua das Flores, 100');
    expect(h.sales.coverageCalls).toEqual([{ lat: -23.42, lng: -51.93 }]);
    expect(textOf(answer)).toContain('Ótima notícia! Temos fibra em 📍 Rua das Flores, 100');
    expect(textOf(answer)).toContain('Quer reservar sua instalação agora?');
    expect(textOf(answer)).toContain('3. O local não está certo');
    // No jargon: the distance to a box means nothing to a customer.
    expect(textOf(answer)).not.toContain('84 m');
  });

  it('reverse-geocodes a bare location to show the address', async () => {
    const asked: Array<{ lat: number; lng: number }> = [];
    const h = harness({
      geocoder: {
        reverse: (p) => {
          asked.push(p);
          return Promise.resolve('Av. Brasil, 500 - Centro');
        },
      },
    });
    const c = new Customer(h.engine);
    const replies = await c.location(-23.4, -51.9);
    expect(asked).toEqual([{ lat: -23.4, lng: -51.9 }]);
    expect(textOf(replies)).toContain('📍 Av. Brasil, 500 - Centro');
  });

  it('shows coordinates when there is no geocoder or it fails', async () => {
    const failing = harness({ geocoder: { reverse: () => Promise.reject(new Error('down')) } });
    const replies = await new Customer(failing.engine).location(-23.4, -51.9);
    expect(textOf(replies)).toContain('-23.40000, -51.90000');
    const none = harness();
    expect(textOf(await new Customer(none.engine).location(-23.4, -51.9))).toContain(
      '-23.40000, -51.90000',
    );
  });

  it('asks for another location when the customer rejects the point', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    await c.location(-23.42, -51.93, 'Rua Errada, 1');
    const replies = await c.text('3');
    expect(textOf(replies)).toContain('Envie a localização correta');
    expect(replies.some((r) => r.kind === 'request-location')).toBe(true);
    await c.location(-23.43, -51.94, 'Rua Certa, 2');
    expect(h.sales.coverageCalls).toEqual([
      { lat: -23.42, lng: -51.93 },
      { lat: -23.43, lng: -51.94 },
    ]);
  });

  it('checks coverage right away for a location confirmed on the FindME page', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    const replies = await c.findme(-23.41, -51.92, 'Rua do Mapa, 9');
    expect(textOf(replies)).toContain('Recebi a localização que você confirmou no mapa');
    expect(textOf(replies)).toContain('Rua do Mapa, 9');
    expect(h.sales.coverageCalls).toEqual([{ lat: -23.41, lng: -51.92 }]);
    expect(textOf(replies)).toContain('Quer reservar');
  });

  it('uses the address the coverage answer knows when the location had none', async () => {
    const h = harness();
    h.sales.defaultCoverage = { ...NOT_VIABLE, address: 'Rua da Cobertura, 7' };
    const c = new Customer(h.engine);
    await c.location(-23.4, -51.9);
    await c.text('1');
    await c.text('sim');
    await c.text('Ana Souza');
    await c.text('44 3222-1234');
    expect(h.sales.prospectCalls[0]?.address).toBe('Rua da Cobertura, 7');
  });
});

describe('conversation: reservation', () => {
  it('collects the data, shows a summary and reserves once with an idempotency key', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    await c.location(-23.42, -51.93, 'Rua das Flores, 100');
    expect(textOf(await c.text('sim'))).toContain(
      'o endereço da instalação é 📍 Rua das Flores, 100?',
    );
    expect(textOf(await c.text('sim, casa 2, perto da padaria'))).toContain('nome completo');
    expect(textOf(await c.text('maria  da   silva'))).toContain('telefone com DDD');
    expect(textOf(await c.text('(44) 99876-5432'))).toContain('CPF');
    expect(textOf(await c.text(VALID_CPF))).toContain('e-mail');
    const summary = textOf(await c.text('Maria@Example.com'));
    expect(summary).toContain('Nome: Maria da Silva');
    expect(summary).toContain('Telefone: (44) 99876-5432');
    expect(summary).toContain('CPF: 529.982.247-25');
    expect(summary).toContain('E-mail: maria@example.com');
    expect(summary).toContain('Endereço: Rua das Flores, 100 (casa 2), perto da padaria');
    expect(summary).toContain('1. Confirmar reserva');
    expect(h.sales.reserveCalls).toHaveLength(0);

    const done = textOf(await c.text('1'));
    expect(h.sales.reserveCalls).toHaveLength(1);
    const request = h.sales.reserveCalls[0];
    expect(request).toMatchObject({
      point: { lat: -23.42, lng: -51.93 },
      address: 'Rua das Flores, 100 (casa 2), perto da padaria',
      installAddress: {
        line: 'Rua das Flores, 100',
        complement: 'casa 2',
        reference: 'perto da padaria',
      },
      name: 'Maria da Silva',
      phone: '5544998765432',
      document: VALID_CPF_DIGITS,
      email: 'maria@example.com',
      channel: 'telegram',
      chatId: 'chat-1',
      answers: {
        name: 'Maria da Silva',
        phone: '5544998765432',
        document: VALID_CPF_DIGITS,
        email: 'maria@example.com',
      },
    });
    expect(request?.idempotencyKey).toBe(
      idempotencyKey({ channel: 'telegram', chatId: 'chat-1' }, request?.conversationId ?? ''),
    );
    expect(request?.idempotencyKey).not.toContain('chat-1');
    // Plain words for the customer; the box, splitter and port are for sales only.
    expect(done).toContain('Pronto, sua instalação está reservada até 17/03/2025');
    expect(done).toContain('Endereço: Rua das Flores, 100 (casa 2), perto da padaria');
    expect(done).not.toMatch(/CTO-07|SPL-1|Porta|Caixa|Splitter/);
  });

  it('offers the chat phone and accepts it with a yes', async () => {
    const h = harness();
    const c = new Customer(h.engine, '5544998765432@s.whatsapp.net', 'whatsapp', {
      senderPhone: '554498765432',
    });
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    const offer = textOf(await c.text('Maria Silva'));
    expect(offer).toContain('Podemos usar este número para contato: (44) 99876-5432?');
    expect(textOf(await c.text('ok'))).toContain('CPF');
    await c.text(VALID_CPF);
    await c.text('maria@example.com');
    await c.text('sim');
    expect(h.sales.reserveCalls[0]?.phone).toBe('5544998765432');
  });

  it('lets the customer type another phone instead of the chat one', async () => {
    const h = harness();
    const c = new Customer(h.engine, 'c2', 'whatsapp', { senderPhone: '5544998765432' });
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    await c.text('Maria Silva');
    expect(textOf(await c.text('2'))).toContain('Qual número devemos usar?');
    expect(textOf(await c.text('123'))).toContain('não parece válido');
    expect(textOf(await c.text('+55 (11) 3333-4444'))).toContain('CPF');
    await c.text(VALID_CPF);
    await c.text('maria@example.com');
    await c.text('sim');
    expect(h.sales.reserveCalls[0]?.phone).toBe('551133334444');
  });

  it('accepts a typed phone directly at the confirmation question', async () => {
    const h = harness();
    const c = new Customer(h.engine, 'c3', 'whatsapp', { senderPhone: '5544998765432' });
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    await c.text('Maria Silva');
    expect(textOf(await c.text('21 98888-7777'))).toContain('CPF');
  });

  it('accepts a shared contact card as the phone', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    await c.text('Maria Silva');
    expect(textOf(await c.contact('+55 44 99876-5432'))).toContain('CPF');
  });

  it.each([
    ['one-word name', 'Maria', 'nome completo'],
    ['name with digits', 'Maria 123', 'nome completo'],
  ])('re-prompts a %s', async (_case, input, expected) => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    const replies = await c.text(input);
    expect(textOf(replies)).toContain(expected);
    expect(textOf(replies)).toContain('nome e sobrenome');
    expect(textOf(await c.text('Maria Silva'))).toContain('telefone');
  });

  it.each([
    ['invalid DDD', '(20) 99999-1234'],
    ['too short', '9999-123'],
    ['mobile without the leading 9 and 9 digits', '(44) 89999-1234'],
    ['letters', 'meu numero'],
  ])('re-prompts an invalid phone: %s', async (_case, input) => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
    await c.text('sim');
    await c.text('Maria Silva');
    expect(textOf(await c.text(input))).toContain('Esse telefone não parece válido');
  });

  it.each(['111.111.111-11', '529.982.247-24', '1234567890', 'abc'])(
    're-prompts an invalid CPF %j',
    async (input) => {
      const h = harness();
      const c = new Customer(h.engine);
      await c.location(-23.42, -51.93, 'Rua A, 1');
      await c.text('sim');
      await c.text('sim');
      await c.text('Maria Silva');
      await c.text('44 99876-5432');
      expect(textOf(await c.text(input))).toContain('Esse CPF não é válido');
      expect(textOf(await c.text('52998224725'))).toContain('e-mail');
    },
  );

  it.each(['maria', 'maria@', 'maria@example', 'maria @example.com', 'ma..ria@example.com'])(
    're-prompts an invalid e-mail %j',
    async (input) => {
      const h = harness();
      const c = new Customer(h.engine);
      await c.location(-23.42, -51.93, 'Rua A, 1');
      await c.text('sim');
      await c.text('sim');
      await c.text('Maria Silva');
      await c.text('44 99876-5432');
      await c.text(VALID_CPF);
      expect(textOf(await c.text(input))).toContain('Esse e-mail não parece válido');
    },
  );

  it('corrects one field from the summary and comes back to it', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    expect(textOf(await c.text('2'))).toContain('O que você quer corrigir?');
    expect(textOf(await c.text('4'))).toContain('e-mail');
    const summary = textOf(await c.text('outra@example.com'));
    expect(summary).toContain('E-mail: outra@example.com');
    expect(summary).toContain('Nome: Maria da Silva');
    await c.text('2');
    expect(textOf(await c.text('2'))).toContain('Qual número devemos usar?');
    expect(textOf(await c.text('(11) 98888-7777'))).toContain('Telefone: (11) 98888-7777');
    await c.text('sim');
    expect(h.sales.reserveCalls).toHaveLength(1);
    expect(h.sales.reserveCalls[0]).toMatchObject({
      email: 'outra@example.com',
      phone: '5511988887777',
    });
  });

  it('ends politely when the customer does not want to reserve', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.location(-23.42, -51.93, 'Rua A, 1');
    expect(textOf(await c.text('agora não'))).toContain('Se mudar de ideia');
    expect(textOf(await c.text('oi'))).toContain('Como posso te ajudar?');
  });

  it('answers with the existing reservation after it is done', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    await c.text('sim');
    const again = textOf(await c.text('sim'));
    expect(again).toContain('Sua instalação já está reservada até 17/03/2025');
    expect(again).not.toContain('porta');
    expect(h.sales.reserveCalls).toHaveLength(1);
  });

  it('starts a new conversation (new idempotency key) when a location arrives after reserving', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    await c.text('sim');
    expect(textOf(await c.location(-23.5, -51.8, 'Outra Rua, 5'))).toContain('Outra Rua, 5');
    await c.text('sim');
    await c.text('sim');
    await c.text('João Souza');
    await c.text('44 99876-5432');
    await c.text(VALID_CPF);
    await c.text('joao@example.com');
    await c.text('sim');
    expect(h.sales.reserveCalls).toHaveLength(2);
    const [first, second] = h.sales.reserveCalls;
    expect(first?.idempotencyKey).not.toBe(second?.idempotencyKey);
  });
});

describe('conversation: no coverage', () => {
  it('says so kindly, collects name and phone and creates one prospect', async () => {
    const h = harness();
    h.sales.defaultCoverage = NOT_VIABLE;
    const c = new Customer(h.engine);
    await c.text('oi');
    await c.text('1');
    const answer = textOf(await c.location(-23.9, -51.1, 'Sítio Boa Vista'));
    expect(answer).toContain('ainda não temos fibra em 📍 Sítio Boa Vista');
    expect(answer).toContain('Quer que a gente te avise quando a fibra chegar aí?');
    expect(textOf(await c.text('1'))).toContain('qual é o número do imóvel em 📍 Sítio Boa Vista?');
    expect(textOf(await c.text('s/n, perto da igreja'))).toContain('nome completo');
    expect(textOf(await c.text('Pedro'))).toContain('nome e sobrenome');
    expect(textOf(await c.text('Pedro Alves'))).toContain('telefone');
    const done = textOf(await c.text('(43) 3333-2222'));
    expect(done).toContain('Seu contato está anotado');
    expect(h.sales.prospectCalls).toHaveLength(1);
    expect(h.sales.prospectCalls[0]).toMatchObject({
      point: { lat: -23.9, lng: -51.1 },
      address: 'Sítio Boa Vista, s/n, perto da igreja',
      name: 'Pedro Alves',
      phone: '554333332222',
      channel: 'telegram',
      chatId: 'chat-1',
    });
    expect(h.sales.reserveCalls).toHaveLength(0);
    expect(textOf(await c.text('obrigado'))).toContain('Seu contato já está anotado');
    expect(h.sales.prospectCalls).toHaveLength(1);
  });

  it('ends politely when the customer declines to be contacted', async () => {
    const h = harness();
    h.sales.defaultCoverage = NOT_VIABLE;
    const c = new Customer(h.engine);
    await c.location(-23.9, -51.1, 'Sítio');
    expect(textOf(await c.text('não, obrigado'))).toContain('Quando quiser consultar de novo');
    expect(h.sales.prospectCalls).toHaveLength(0);
  });
});

describe('conversation: length (issue 11: never longer than 10 to a reservation, 7 to a lead)', () => {
  it('takes 10 customer messages from "oi" to a reservation, installation address included', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    const messages: Array<() => Promise<unknown>> = [
      () => c.text('oi'),
      () => c.text('1'),
      () => c.location(-23.42, -51.93, 'Rua das Flores, 100'),
      () => c.text('sim'),
      () => c.text('sim'),
      () => c.text('Maria da Silva'),
      () => c.text('(44) 99876-5432'),
      () => c.text(VALID_CPF),
      () => c.text('pular'),
      () => c.text('sim'),
    ];
    for (const send of messages) await send();
    expect(messages).toHaveLength(10);
    expect(h.sales.reserveCalls).toHaveLength(1);
    expect(h.sales.reserveCalls[0]?.installAddress).toEqual({ line: 'Rua das Flores, 100' });
  });

  it('takes 7 customer messages from "oi" to a prospect, installation address included', async () => {
    const h = harness();
    h.sales.defaultCoverage = NOT_VIABLE;
    const c = new Customer(h.engine);
    const messages: Array<() => Promise<unknown>> = [
      () => c.text('oi'),
      () => c.text('1'),
      () => c.location(-23.9, -51.1, 'Rua B, 2'),
      () => c.text('sim'),
      () => c.text('sim'),
      () => c.text('Pedro Alves'),
      () => c.text('43 3333-2222'),
    ];
    for (const send of messages) await send();
    expect(messages).toHaveLength(7);
    expect(h.sales.prospectCalls).toHaveLength(1);
    expect(h.sales.prospectCalls[0]?.address).toBe('Rua B, 2');
  });

  it('a CPF with an active reservation is shown it, and may move it to the new point', async () => {
    const h = harness();
    h.sales.existing.set(VALID_CPF_DIGITS, {
      clientCode: 'CHAT-old',
      expiresAt: new Date('2025-03-15T12:00:00Z'),
      address: 'Rua Antiga, 5',
    });
    const c = new Customer(h.engine);
    await c.location(-23.42, -51.93, 'Rua Nova, 10');
    await c.text('sim');
    await c.text('sim');
    await c.text('Maria da Silva');
    await c.text('(44) 99876-5432');
    const shown = textOf(await c.text(VALID_CPF));
    expect(shown).toContain('Encontrei uma instalação já reservada no seu CPF');
    expect(shown).toContain('📍 Rua Antiga, 5');
    expect(shown).toContain('2. Mudar a reserva para o novo endereço');
    const moved = textOf(await c.text('2'));
    expect(moved).toContain('Pronto, sua reserva agora é para 📍 Rua Nova, 10');
    expect(h.sales.moveCalls).toMatchObject([
      { clientCode: 'CHAT-old', point: { lat: -23.42, lng: -51.93 } },
    ]);
    expect(h.sales.reserveCalls).toHaveLength(0);
  });
});
