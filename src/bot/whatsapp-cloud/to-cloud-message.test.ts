import { describe, expect, it } from 'vitest';
import type { MenuOption } from '../conversation/messages.js';
import { optionAnswer } from './option-id.js';
import {
  LIMITS,
  plainText,
  shorten,
  toCloudMessages,
  type CloudMessage,
} from './to-cloud-message.js';

const options = (...labels: string[]): MenuOption[] =>
  labels.map((label, i) => ({ key: String(i + 1), label }));

describe('toCloudMessages', () => {
  it('sends plain text as a text message, split at 4096 characters', () => {
    expect(toCloudMessages({ kind: 'text', text: 'Olá!' })).toEqual([
      { type: 'text', body: 'Olá!' },
    ]);
    const long = toCloudMessages({ kind: 'text', text: `${'a'.repeat(4000)} ${'b'.repeat(200)}` });
    expect(long.map((m) => m.type)).toEqual(['text', 'text']);
    for (const m of long)
      expect((m as { body: string }).body.length).toBeLessThanOrEqual(LIMITS.text);
  });

  it('turns a menu of up to 3 short options into reply buttons with the labels as titles', () => {
    const [message] = toCloudMessages({
      kind: 'text',
      text: 'Quer reservar sua instalação agora?',
      options: options('Sim, quero reservar', 'Não, agora não'),
    });
    expect(message).toEqual({
      type: 'buttons',
      body: 'Quer reservar sua instalação agora?',
      buttons: [
        { id: 'opt|1|Sim, quero reservar', title: 'Sim, quero reservar' },
        { id: 'opt|2|Não, agora não', title: 'Não, agora não' },
      ],
      fallback: 'Quer reservar sua instalação agora?\n\n1. Sim, quero reservar\n2. Não, agora não',
    });
  });

  it('shortens labels longer than a button title, listing them in full and numbered in the body', () => {
    const [message] = toCloudMessages({
      kind: 'text',
      text: 'Como posso te ajudar?',
      options: options('Consultar disponibilidade de fibra', 'Falar com um atendente'),
    });
    expect(message?.type).toBe('buttons');
    const buttons = (message as Extract<CloudMessage, { type: 'buttons' }>).buttons;
    for (const b of buttons) expect(b.title.length).toBeLessThanOrEqual(LIMITS.buttonTitle);
    expect(buttons.map((b) => b.title)).toEqual(['Consultar disponibi…', 'Falar com um…']);
    expect((message as { body: string }).body).toBe(
      'Como posso te ajudar?\n\n1. Consultar disponibilidade de fibra\n2. Falar com um atendente',
    );
    // The tap answers with the full label, which the engine matches.
    expect(buttons.map((b) => optionAnswer(b.id))).toEqual([
      'Consultar disponibilidade de fibra',
      'Falar com um atendente',
    ]);
  });

  it('turns 4 to 10 options into a list, with long labels shortened and kept whole in the description', () => {
    const [message] = toCloudMessages({
      kind: 'text',
      text: 'O que você quer corrigir?',
      options: options('Nome', 'Telefone', 'CPF', 'E-mail', 'Endereço completo da instalação'),
    });
    expect(message).toMatchObject({
      type: 'list',
      body: 'O que você quer corrigir?',
      buttonText: 'Ver opções',
      rows: [
        { id: 'opt|1|Nome', title: 'Nome' },
        { id: 'opt|2|Telefone', title: 'Telefone' },
        { id: 'opt|3|CPF', title: 'CPF' },
        { id: 'opt|4|E-mail', title: 'E-mail' },
        {
          id: 'opt|5|Endereço completo da instalação',
          title: 'Endereço completo da…',
          description: 'Endereço completo da instalação',
        },
      ],
    });
    for (const row of (message as Extract<CloudMessage, { type: 'list' }>).rows) {
      expect(row.title.length).toBeLessThanOrEqual(LIMITS.rowTitle);
      expect(row.id.length).toBeLessThanOrEqual(200);
    }
  });

  it('keeps more than 10 options as numbered text', () => {
    const labels = Array.from({ length: 11 }, (_, i) => `Plano ${i + 1}`);
    const out = toCloudMessages({
      kind: 'text',
      text: 'Escolha o plano:',
      options: options(...labels),
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'text' });
    expect((out[0] as { body: string }).body).toMatch(/^Escolha o plano:\n\n1\. Plano 1\n/);
    expect((out[0] as { body: string }).body).toMatch(/11\. Plano 11$/);
  });

  it('sends a body too long for buttons first as text, then the buttons with a short body', () => {
    const text = 'x'.repeat(1100);
    const out = toCloudMessages({ kind: 'text', text, options: options('Sim', 'Não') });
    expect(out.map((m) => m.type)).toEqual(['text', 'buttons']);
    expect((out[0] as { body: string }).body).toBe(text);
    expect((out[1] as { body: string }).body).toBe('Escolha uma opção 👇');
  });

  it('uses a list when shortened button titles would collide', () => {
    const [message] = toCloudMessages({
      kind: 'text',
      text: 'Qual?',
      options: [
        { key: 'a', label: 'Mesmo rótulo' },
        { key: 'b', label: 'Mesmo rótulo' },
      ],
    });
    expect(message?.type).toBe('list');
  });

  it('asks for the location with the native button, then offers the FindME map as a URL button', () => {
    const out = toCloudMessages({
      kind: 'request-location',
      text: 'Onde você quer instalar a internet? 📍',
      findmeUrl: 'https://alcance.example.com.br/findme/abc',
    });
    expect(out).toEqual([
      {
        type: 'location-request',
        body: 'Onde você quer instalar a internet? 📍',
        fallback: expect.stringContaining('Localização') as string,
      },
      {
        type: 'cta-url',
        body: 'Se preferir, marque o local no mapa (dá para buscar pelo endereço):',
        displayText: 'Abrir o mapa',
        url: 'https://alcance.example.com.br/findme/abc',
        fallback: expect.stringContaining('https://alcance.example.com.br/findme/abc') as string,
      },
    ]);
    expect(toCloudMessages({ kind: 'request-location', text: 'Onde?' })).toHaveLength(1);
  });

  it("uses the engine's link sentence and how-to when it gives them", () => {
    const out = toCloudMessages({
      kind: 'request-location',
      text: 'Onde?',
      howTo: 'Toque em 📎 → Localização.',
      findmeUrl: 'https://x.example/findme/1',
      findmeText: 'Ou marque no mapa:',
    });
    expect(out[0]).toMatchObject({ fallback: 'Onde?\n\nToque em 📎 → Localização.' });
    expect(out[1]).toMatchObject({ type: 'cta-url', body: 'Ou marque no mapa:' });
  });

  it('sends a link that is not a web address as text', () => {
    const out = toCloudMessages({
      kind: 'request-location',
      text: 'Onde?',
      findmeUrl: 'alcance://x',
    });
    expect(out[1]).toEqual({
      type: 'text',
      body: expect.stringContaining('alcance://x') as string,
    });
  });

  it('sends a location with its title and address', () => {
    expect(
      toCloudMessages({
        kind: 'location',
        point: { lat: -23.4, lng: -51.9 },
        title: 'CTO',
        address: 'Rua A',
      }),
    ).toEqual([
      { type: 'location', latitude: -23.4, longitude: -51.9, name: 'CTO', address: 'Rua A' },
    ]);
  });

  it('has a plain-text form for everything the customer reads', () => {
    const [buttons] = toCloudMessages({
      kind: 'text',
      text: 'Ok?',
      options: options('Sim', 'Não'),
    });
    expect(plainText(buttons!)).toBe('Ok?\n\n1. Sim\n2. Não');
    expect(plainText({ type: 'text', body: 'oi' })).toBe('oi');
    expect(plainText({ type: 'location', latitude: 1, longitude: 2 })).toBeUndefined();
  });
});

describe('shorten', () => {
  it('cuts at a word when it ends late enough, otherwise mid-word, always within the limit', () => {
    expect(shorten('Não, quero informar outro', 20)).toBe('Não, quero informar…');
    expect(shorten('Supercalifragilístico', 10)).toBe('Supercali…');
    expect(shorten('curto', 20)).toBe('curto');
  });

  it('never splits an emoji', () => {
    const cut = shorten('abcdefgh🙂🙂🙂', 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});
