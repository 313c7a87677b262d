import { describe, expect, it } from 'vitest';
import { Customer, harness, IDLE_MS, textOf, toSummary, VALID_CPF } from './support.js';

/** Scripts that take a fresh customer to each step of the flow. */
const TO_STEP: Record<string, (c: Customer) => Promise<unknown>> = {
  menu: (c) => c.text('oi'),
  'ask-location': async (c) => {
    await c.text('oi');
    await c.text('1');
  },
  'offer-reservation': (c) => c.location(-23.42, -51.93, 'Rua A, 1'),
  'ask-address': async (c) => {
    await c.location(-23.42, -51.93, 'Rua A, 1');
    await c.text('sim');
  },
  'ask-name': async (c) => {
    await TO_STEP['ask-address']?.(c);
    await c.text('sim');
  },
  'ask-phone': async (c) => {
    await TO_STEP['ask-name']?.(c);
    await c.text('Maria Silva');
  },
  'ask-document': async (c) => {
    await TO_STEP['ask-phone']?.(c);
    await c.text('44 99876-5432');
  },
  'ask-email': async (c) => {
    await TO_STEP['ask-document']?.(c);
    await c.text(VALID_CPF);
  },
  'confirm-reservation': (c) => toSummary(c),
  'choose-correction': async (c) => {
    await toSummary(c);
    await c.text('2');
  },
};

const PROMPT_OF: Record<string, string> = {
  menu: 'Como posso te ajudar?',
  'ask-location': 'Onde você quer instalar a internet?',
  'offer-reservation': 'Quer reservar sua instalação agora?',
  'ask-address': 'Para o técnico encontrar você',
  'ask-name': 'Qual é o seu nome completo?',
  'ask-phone': 'Qual é o seu telefone com DDD?',
  'ask-document': 'Qual é o seu CPF?',
  'ask-email': 'Qual é o seu e-mail?',
  'confirm-reservation': 'Confira seus dados',
  'choose-correction': 'O que você quer corrigir?',
};

const STEPS = Object.keys(TO_STEP);

describe('conversation: commands at any step', () => {
  it.each(STEPS)('"Menu" at %s shows the main menu', async (step) => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP[step]?.(c);
    expect(textOf(await c.text('Menu'))).toContain('Como posso te ajudar?');
    expect(textOf(await c.text('1'))).toContain('Onde você quer instalar a internet?');
  });

  it.each(STEPS)('"cancela" at %s ends politely and clears the answers', async (step) => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP[step]?.(c);
    expect(textOf(await c.text('cancela'))).toContain('encerrei por aqui');
    expect(await h.store.read({ channel: 'telegram', chatId: 'chat-1' })).toBeUndefined();
    expect(textOf(await c.text('oi'))).toContain('Olá');
  });

  const previous: Array<[string, string]> = [
    ['ask-location', 'menu'],
    ['offer-reservation', 'ask-location'],
    ['ask-address', 'offer-reservation'],
    ['ask-name', 'ask-address'],
    ['ask-phone', 'ask-name'],
    ['ask-document', 'ask-phone'],
    ['ask-email', 'ask-document'],
    ['confirm-reservation', 'ask-email'],
    ['choose-correction', 'confirm-reservation'],
  ];
  it.each(previous)('" VOLTAR " at %s returns to %s', async (step, expected) => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP[step]?.(c);
    expect(textOf(await c.text(' VOLTAR '))).toContain(PROMPT_OF[expected]);
  });

  it('"voltar" twice walks back two steps and the flow continues from there', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-document']?.(c);
    await c.text('voltar');
    expect(textOf(await c.text('voltar'))).toContain('nome completo');
    expect(textOf(await c.text('Joana Prado'))).toContain('telefone');
  });

  it('"voltar" at the menu shows the menu again', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    expect(textOf(await c.text('voltar'))).toContain('Como posso te ajudar?');
  });

  it.each(STEPS)('"atendente" at %s hands off; the bot is silent until released', async (step) => {
    const h = harness();
    const c = new Customer(h.engine, 'chat-1', 'telegram', { senderName: 'Joana' });
    await TO_STEP[step]?.(c);
    expect(textOf(await c.text('Atendente'))).toContain('Já chamei alguém da nossa equipe');
    expect(h.handoff.calls).toHaveLength(1);
    expect(h.handoff.calls[0]).toMatchObject({ channel: 'telegram', chatId: 'chat-1' });
    expect(await c.text('alô?')).toEqual([]);
    expect(await c.location(-23.1, -51.1)).toEqual([]);
    expect(await h.engine.release('telegram', 'chat-1')).toBe(true);
    expect(textOf(await c.text('oi'))).toContain('Como posso te ajudar?');
    expect(await h.engine.release('telegram', 'chat-1')).toBe(false);
  });

  it.each(['menu', 'Cancelar'])(
    '"%s" still works while waiting for a person, and the listener hears the customer left',
    async (word) => {
      const h = harness();
      const c = new Customer(h.engine, 'chat-2', 'telegram');
      await c.text('oi');
      await c.text('atendente');
      expect(await c.text('alguém aí?')).toEqual([]);
      const reply = textOf(await c.text(word));
      expect(reply).toContain(word === 'menu' ? 'Como posso te ajudar?' : 'encerrei por aqui');
      expect(h.handoff.left).toEqual([{ channel: 'telegram', chatId: 'chat-2' }]);
      expect(await h.engine.release('telegram', 'chat-2')).toBe(false);
    },
  );

  it('the customer is told the queue position, or when the team opens, as the queue answers', async () => {
    const h = harness();
    h.handoff.outcome = { position: 3 };
    const c = new Customer(h.engine, 'chat-3', 'telegram');
    await c.text('oi');
    expect(textOf(await c.text('atendente'))).toContain('Você é o 3º da fila');
    h.handoff.outcome = { opensAt: new Date('2026-12-07T11:00:00Z') };
    const d = new Customer(h.engine, 'chat-4', 'telegram');
    await d.text('oi');
    expect(textOf(await d.text('atendente'))).toMatch(/Nossa equipe volta a atender segunda-feira/);
  });

  it('menu option 2 hands off too, and the hand-off times out if nobody releases it', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    expect(textOf(await c.text('2'))).toContain('Já chamei alguém');
    h.clock.advance(3 * 3600_000);
    expect(await c.text('oi?')).toEqual([]);
    h.clock.advance(2 * 3600_000);
    expect(textOf(await c.text('oi?'))).toContain('Como posso te ajudar?');
  });

  it('hand-off is per chat: other chats keep talking to the bot', async () => {
    const h = harness();
    const a = new Customer(h.engine, 'a');
    const b = new Customer(h.engine, 'b');
    await a.text('atendente');
    expect(textOf(await b.text('oi'))).toContain('Como posso te ajudar?');
    expect(await a.text('oi')).toEqual([]);
  });
});

describe('conversation: what the bot cannot read', () => {
  it.each(STEPS)('a sticker at %s gets the notice and the step prompt', async (step) => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP[step]?.(c);
    const text = textOf(await c.unsupported('sticker'));
    expect(text).toContain('Ainda não consigo ouvir áudios nem ver fotos e arquivos');
    expect(text).toContain(PROMPT_OF[step]);
  });

  it('audio as the very first message still greets', async () => {
    const h = harness();
    const text = textOf(await new Customer(h.engine).unsupported('audio'));
    expect(text).toContain('Olá');
    expect(text).toContain('Ainda não consigo ouvir áudios');
    expect(text).toContain('Como posso te ajudar?');
  });

  it.each(STEPS)('nonsense at %s never goes unanswered', async (step) => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP[step]?.(c);
    for (const nonsense of ['asdf qwer', '???', '🙂', '42', 'tentar de novo']) {
      const replies = await c.text(nonsense);
      expect(replies.length, `${step} / ${nonsense}`).toBeGreaterThan(0);
    }
  });

  it('a contact card outside the phone step is thanked and the step re-asked', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await c.text('oi');
    const text = textOf(await c.contact('44999998888'));
    expect(text).toContain('Obrigado pelo contato');
    expect(text).toContain('Como posso te ajudar?');
  });
});

describe('conversation: a location in the middle of another step', () => {
  it('is accepted at the location and offer steps', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['offer-reservation']?.(c);
    expect(textOf(await c.location(-23.5, -51.5, 'Rua Nova, 3'))).toContain('Rua Nova, 3');
    await c.text('sim');
    expect(h.sales.coverageCalls.at(-1)).toEqual({ lat: -23.5, lng: -51.5 });
  });

  it('while collecting data: explains and restarts with it only on yes', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-email']?.(c);
    const offer = textOf(await c.location(-23.5, -51.5, 'Rua Nova, 3'));
    expect(offer).toContain('Recebi uma nova localização');
    expect(offer).toContain('1. Sim, usar a nova localização');
    expect(textOf(await c.text('sim'))).toContain('📍 Rua Nova, 3');
    await c.text('sim');
    expect(h.sales.coverageCalls.at(-1)).toEqual({ lat: -23.5, lng: -51.5 });
  });

  it('while collecting data: "não" continues where the customer was, keeping the answers', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-email']?.(c);
    await c.location(-23.5, -51.5, 'Rua Nova, 3');
    const resumed = textOf(await c.text('Não, continuar de onde parei'));
    expect(resumed).toContain('continuar de onde paramos');
    expect(resumed).toContain('Qual é o seu e-mail?');
    const summary = textOf(await c.text('maria@example.com'));
    expect(summary).toContain('Endereço: Rua A, 1');
    expect(summary).toContain('Nome: Maria Silva');
  });
});

describe('conversation: idle expiry', () => {
  it('starts over with a note after the idle time when nothing was collected yet', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-location']?.(c);
    h.clock.advance(IDLE_MS + 1000);
    const text = textOf(await c.text('oi'));
    expect(text).toContain('Sua conversa anterior ficou parada');
    expect(text).toContain('Como posso te ajudar?');
  });

  it('a returning customer with an unfinished reservation is greeted by name and may continue', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-document']?.(c);
    h.clock.advance(IDLE_MS - 1000);
    expect(textOf(await c.text('voltar'))).toContain('telefone');
    await c.text('44 99876-5432');
    h.clock.advance(IDLE_MS + 1000);
    const offer = textOf(await c.text(VALID_CPF));
    expect(offer).toContain('Olá de novo, Maria!');
    expect(offer).toContain('1. Sim, continuar de onde parei');
    expect(offer).not.toContain('Sua conversa anterior ficou parada');
    const resumed = textOf(await c.text('1'));
    expect(resumed).toContain('Qual é o seu CPF?');
    expect(textOf(await c.text(VALID_CPF))).toContain('Qual é o seu e-mail?');
  });

  it('a returning customer may start over instead', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-email']?.(c);
    h.clock.advance(IDLE_MS + 1000);
    await c.text('oi');
    expect(textOf(await c.text('não, começar de novo'))).toContain('Como posso te ajudar?');
    expect(textOf(await c.text('1'))).toContain('Onde você quer instalar a internet?');
  });

  it('accepts a location as the first message after expiry', async () => {
    const h = harness();
    const c = new Customer(h.engine);
    await TO_STEP['ask-location']?.(c);
    h.clock.advance(IDLE_MS + 1);
    const text = textOf(await c.location(-23.6, -51.6, 'Rua Depois, 8'));
    expect(text).toContain('Sua conversa anterior ficou parada');
    expect(text).toContain('📍 Rua Depois, 8');
  });
});
