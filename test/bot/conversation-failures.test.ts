import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/bot/conversation/messages.js';
import type { ConversationState } from '../../src/bot/conversation/state.js';
import type { ChatKey, ConversationStore } from '../../src/bot/conversation/store.js';
import { MemoryConversationStore } from '../../src/bot/conversation/memory-store.js';
import {
  Customer,
  harness,
  NO_FREE_PORT,
  NOT_VIABLE,
  textOf,
  toSummary,
  VIABLE,
} from './support.js';

describe('conversation: coverage failures', () => {
  it('apologises, keeps the state and retries on "tentar de novo"', async () => {
    const h = harness();
    h.sales.coverageScript.push(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const c = new Customer(h.engine);
    const sorry = textOf(await c.location(-23.42, -51.93, 'Rua A, 1'));
    expect(sorry).toContain('Tive um problema para consultar agora');
    expect(sorry).toContain('tentar de novo');
    expect(sorry).not.toContain('ECONNREFUSED');
    const retried = textOf(await c.text('Tentar de novo'));
    expect(h.sales.coverageCalls).toEqual([
      { lat: -23.42, lng: -51.93 },
      { lat: -23.42, lng: -51.93 },
    ]);
    expect(retried).toContain('Temos fibra em 📍 Rua A, 1');
  });

  it('fails again, then the customer sends the location again and it works', async () => {
    const h = harness();
    h.sales.coverageScript.push(new Error('down'), new Error('still down'));
    const c = new Customer(h.engine);
    expect(textOf(await c.location(-23.42, -51.93, 'Rua A, 1'))).toContain('Tive um problema');
    expect(textOf(await c.text('tentar novamente'))).toContain('Tive um problema');
    expect(textOf(await c.text('blablabla'))).toContain('tentar de novo');
    expect(textOf(await c.location(-23.42, -51.93, 'Rua A, 1'))).toContain(
      'Temos fibra em 📍 Rua A, 1',
    );
  });
});

describe('conversation: reservation failures', () => {
  it('"no free port": apologises, re-checks viability and asks to confirm again', async () => {
    const h = harness();
    h.sales.reserveScript.push(NO_FREE_PORT);
    h.sales.coverageScript.push(VIABLE, {
      viable: true,
      nearest: { boxName: 'CTO-09', distanceMeters: 150, freePorts: 1 },
    });
    const c = new Customer(h.engine);
    await toSummary(c);
    const text = textOf(await c.text('sim'));
    expect(text).toContain('acabou de ser ocupada');
    expect(text).toContain('Encontrei outra vaga');
    expect(text).toContain('Confira seus dados');
    expect(h.sales.coverageCalls).toHaveLength(2);
    expect(h.sales.reserveCalls).toHaveLength(1);
    expect(textOf(await c.text('sim'))).toContain('sua instalação está reservada até');
    expect(h.sales.reserveCalls).toHaveLength(2);
    const [first, second] = h.sales.reserveCalls;
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
  });

  it('"no free port" and no other box: offers the prospect without asking name and phone again', async () => {
    const h = harness();
    h.sales.reserveScript.push(NO_FREE_PORT);
    h.sales.coverageScript.push(VIABLE, NOT_VIABLE);
    const c = new Customer(h.engine);
    await toSummary(c);
    const text = textOf(await c.text('sim'));
    expect(text).toContain('vagas perto de você foram todas ocupadas');
    expect(text).toContain('Quer que a gente te avise');
    expect(textOf(await c.text('sim'))).toContain('Seu contato está anotado');
    expect(h.sales.prospectCalls[0]).toMatchObject({
      name: 'Maria da Silva',
      phone: '5544998765432',
    });
  });

  it('another reservation error: apologises and retries with the same idempotency key', async () => {
    const h = harness();
    h.sales.reserveScript.push(new Error('timeout'));
    const c = new Customer(h.engine);
    await toSummary(c);
    expect(textOf(await c.text('sim'))).toContain('Tive um problema para fazer a reserva');
    expect(textOf(await c.text('tentar de novo'))).toContain('sua instalação está reservada até');
    const [first, second] = h.sales.reserveCalls;
    expect(h.sales.reserveCalls).toHaveLength(2);
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(second?.conversationId).toBe(first?.conversationId);
  });

  it('a prospect error: apologises and retries', async () => {
    const h = harness();
    h.sales.defaultCoverage = NOT_VIABLE;
    h.sales.prospectScript.push(new Error('db down'));
    const c = new Customer(h.engine);
    await c.location(-23.9, -51.1, 'Sítio Boa Vista, 12');
    await c.text('sim');
    await c.text('sim');
    await c.text('Pedro Alves');
    expect(textOf(await c.text('43 3333-2222'))).toContain('Tive um problema para anotar');
    expect(textOf(await c.text('sim'))).toContain('Seu contato está anotado');
    expect(h.sales.prospectCalls).toHaveLength(2);
    expect(h.sales.prospectCalls[1]?.idempotencyKey).toBe(h.sales.prospectCalls[0]?.idempotencyKey);
  });
});

describe('conversation: duplicates and concurrency', () => {
  it('processes a duplicate delivery (same message id) once; the second gets no replies', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    const first = await c.text('sim', 'confirm-1');
    const second = await c.text('sim', 'confirm-1');
    expect(textOf(first)).toContain('sua instalação está reservada até');
    expect(second).toEqual([]);
    expect(h.sales.reserveCalls).toHaveLength(1);
  });

  it('the same message id in another chat is a different message', async () => {
    const h = harness();
    const a = new Customer(h.engine, 'a');
    const b = new Customer(h.engine, 'b');
    expect(await a.text('oi', 'm1')).not.toEqual([]);
    expect(await b.text('oi', 'm1')).not.toEqual([]);
  });

  it('"sim" twice at once reserves once; the second answer points at the reservation', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    const [one, two] = await Promise.all([c.text('sim'), c.text('sim')]);
    expect(h.sales.reserveCalls).toHaveLength(1);
    expect(textOf(one)).toContain('sua instalação está reservada até');
    expect(textOf(two)).toContain('Sua instalação já está reservada até');
  });

  it('messages arriving together are applied in order without losing an answer', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await toSummary(c);
    await c.text('voltar');
    await c.text('voltar');
    await c.text('voltar');
    // Now at the phone step: send phone, CPF and e-mail without waiting.
    const replies = await Promise.all([
      c.text('(11) 98888-7777'),
      c.text('390.533.447-05'),
      c.text('nova@example.com'),
    ]);
    const summary = textOf(replies[2] ?? []);
    expect(summary).toContain('Telefone: (11) 98888-7777');
    expect(summary).toContain('CPF: 390.533.447-05');
    expect(summary).toContain('E-mail: nova@example.com');
  });

  it('a store failure becomes a friendly reply, never an exception', async () => {
    const broken: ConversationStore = Object.assign(new MemoryConversationStore(3600), {
      read: (_chat: ChatKey): Promise<ConversationState | undefined> =>
        Promise.reject(new Error('redis gone')),
    });
    const h = harness({ store: broken });
    const message: InboundMessage = {
      kind: 'text',
      text: 'oi',
      channel: 'web',
      chatId: 's1',
      messageId: 'm1',
      sentAt: new Date(),
    };
    const replies = await h.engine.handle(message);
    expect(textOf(replies)).toContain('tive um problema aqui do meu lado');
  });
});
