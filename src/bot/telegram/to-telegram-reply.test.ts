import { describe, expect, it } from 'vitest';
import { TELEGRAM_TEXT_LIMIT, toTelegramReply } from './to-telegram-reply.js';

describe('toTelegramReply', () => {
  it('sends plain text as one message', () => {
    expect(toTelegramReply({ kind: 'text', text: 'Olá!' })).toEqual([
      { method: 'sendMessage', payload: { text: 'Olá!' } },
    ]);
  });

  it('numbers the options in the text and adds one inline button per option', () => {
    expect(
      toTelegramReply({
        kind: 'text',
        text: 'Quer reservar?',
        options: [
          { key: '1', label: 'Sim' },
          { key: '2', label: 'Não, obrigado' },
        ],
      }),
    ).toEqual([
      {
        method: 'sendMessage',
        payload: {
          text: 'Quer reservar?\n\n1. Sim\n2. Não, obrigado',
          reply_markup: {
            inline_keyboard: [
              [{ text: '1. Sim', callback_data: '1' }],
              [{ text: '2. Não, obrigado', callback_data: '2' }],
            ],
          },
        },
      },
    ]);
  });

  it('splits texts over the Telegram limit and puts the buttons on the last piece', () => {
    const long = `${'a'.repeat(3000)}\n${'b'.repeat(3000)}`;
    const calls = toTelegramReply({
      kind: 'text',
      text: long,
      options: [{ key: '1', label: 'Ok' }],
    });
    expect(calls).toHaveLength(2);
    expect(
      calls.every(
        (c) => c.method === 'sendMessage' && c.payload.text.length <= TELEGRAM_TEXT_LIMIT,
      ),
    ).toBe(true);
    expect(calls[0]).toEqual({ method: 'sendMessage', payload: { text: 'a'.repeat(3000) } });
    expect(calls[1]?.method === 'sendMessage' && calls[1].payload.reply_markup).toBeTruthy();
  });

  it('asks for a location with a request_location keyboard, then offers the FindME page', () => {
    expect(
      toTelegramReply({
        kind: 'request-location',
        text: 'Onde fica o imóvel?',
        findmeUrl: 'https://alcance.example/f/x1',
      }),
    ).toEqual([
      {
        method: 'sendMessage',
        payload: {
          text: 'Onde fica o imóvel?',
          reply_markup: {
            keyboard: [[{ text: '📍 Enviar minha localização', request_location: true }]],
            resize_keyboard: true,
            one_time_keyboard: true,
          },
        },
      },
      {
        method: 'sendMessage',
        payload: {
          text: 'Se preferir, marque o local no mapa:\nhttps://alcance.example/f/x1',
          link_preview_options: { is_disabled: true },
          reply_markup: {
            inline_keyboard: [[{ text: '🗺️ Marcar no mapa', url: 'https://alcance.example/f/x1' }]],
          },
        },
      },
    ]);
  });

  it('gives a non-https FindME link as text only (Telegram refuses such URL buttons)', () => {
    const calls = toTelegramReply({
      kind: 'request-location',
      text: 'Onde?',
      findmeUrl: 'http://127.0.0.1:3000/f/x1',
    });
    expect(calls[1]).toEqual({
      method: 'sendMessage',
      payload: {
        text: 'Se preferir, marque o local no mapa:\nhttp://127.0.0.1:3000/f/x1',
        link_preview_options: { is_disabled: true },
      },
    });
  });

  it('sends a location, or a venue when it has a title and an address', () => {
    expect(toTelegramReply({ kind: 'location', point: { lat: -1.5, lng: -48.5 } })).toEqual([
      { method: 'sendLocation', payload: { latitude: -1.5, longitude: -48.5 } },
    ]);
    expect(
      toTelegramReply({
        kind: 'location',
        point: { lat: -1.5, lng: -48.5 },
        title: 'CTO 12',
        address: 'Av. Nazaré, 1',
      }),
    ).toEqual([
      {
        method: 'sendVenue',
        payload: { latitude: -1.5, longitude: -48.5, title: 'CTO 12', address: 'Av. Nazaré, 1' },
      },
    ]);
  });
});
