// What the customer types: typed locations and map links, typos, commands inside sentences,
// and the provider's texts file.
import { describe, expect, it } from 'vitest';
import { mergeCatalogue, TextsError } from '../../src/bot/conversation/catalogue.js';
import { parseTypedLocation } from '../../src/bot/conversation/location-text.js';
import { isSkip, parseCommand, parseOption, parseYesNo } from '../../src/bot/conversation/parse.js';
import { parseInstallAddress } from '../../src/bot/conversation/steps.js';
import { createTexts } from '../../src/bot/conversation/texts.js';

const P = { kind: 'point', point: { lat: -23.4253, lng: -51.9386 } };

describe('typed locations', () => {
  it.each([
    ['-23.4253, -51.9386', P],
    ['-23,4253 -51,9386', P],
    ['-51.9386, -23.4253', P],
    ['https://www.google.com/maps/place/X/@-23.4,-51.9,17z/data=!3m1!8m2!3d-23.4253!4d-51.9386', P],
    ['https://www.google.com/maps/@-23.4253,-51.9386,15z', P],
    ['https://maps.google.com/?q=-23.4253,-51.9386', P],
    ['https://www.google.com/maps/search/?api=1&query=-23.4253%2C-51.9386', P],
    ['https://maps.google.com/maps?ll=-23.4253,-51.9386&z=16', P],
    ['https://maps.apple.com/?ll=-23.4253,-51.9386&q=Casa', P],
    ['https://maps.apple.com/?q=-23.4253,-51.9386', P],
    ['https://waze.com/ul?ll=-23.4253,-51.9386&navigate=yes', P],
    ['https://www.openstreetmap.org/#map=17/-23.4253/-51.9386', P],
    ['https://www.openstreetmap.org/?mlat=-23.4253&mlon=-51.9386#map=17/-23.4/-51.9', P],
    ['geo:-23.4253,-51.9386?z=17', P],
    ['geo:0,0?q=-23.4253,-51.9386(Casa)', P],
    ['https://maps.app.goo.gl/x7Yq2kP9', { kind: 'short-link' }],
    ['https://goo.gl/maps/abc', { kind: 'short-link' }],
    ['https://example.com/foo', { kind: 'unreadable-link' }],
    [
      'https://maps.google.com/?q=Avenida+Brasil+1500',
      { kind: 'address', query: 'Avenida Brasil 1500' },
    ],
    ['Rua das Flores, 120, Maringá', { kind: 'address', query: 'Rua das Flores, 120, Maringá' }],
  ])('%s', (text, expected) => {
    expect(parseTypedLocation(text, true)).toEqual(expected);
  });

  it('does not take a house number or a phone for coordinates', () => {
    expect(parseTypedLocation('12, 100', false)).toBeUndefined();
    expect(parseTypedLocation('44 99876-5432', false)).toBeUndefined();
    expect(parseTypedLocation('Maria da Silva', false)).toBeUndefined();
  });

  it('reads degrees, minutes and seconds as Google Maps shows them', () => {
    const r = parseTypedLocation('23°25\'31.08"S 51°56\'18.96"W', true);
    expect(r?.kind === 'point' && r.point.lat).toBeCloseTo(-23.4253, 4);
    expect(r?.kind === 'point' && r.point.lng).toBeCloseTo(-51.9386, 4);
  });

  it('decodes a Waze geohash link', () => {
    const r = parseTypedLocation('https://waze.com/ul/h6gyf4b4e', true);
    expect(r).toMatchObject({ kind: 'point' });
  });
});

describe('typos and sentences', () => {
  it.each([
    ['simm', true],
    ['siim', true],
    ['Sim!', true],
    ['👍', true],
    ['naão', false],
    ['não, obrigado', false],
    ['talvez', undefined],
  ])('yes/no %j', (text, expected) => expect(parseYesNo(text)).toBe(expected));

  it.each([
    ['quero falar com atendente por favor', 'human'],
    ['falar com humano', 'human'],
    ['atendnete', 'human'],
    ['cancela tudo', 'cancel'],
    ['canselar', 'cancel'],
    ['voltar pro menu', 'menu'],
    ['quero voltar', 'back'],
    ['Consultar disponibilidade', undefined],
    ['Rua do Atendente, 12', undefined],
    ['voltar amanhã', undefined],
  ])('command %j', (text, expected) => expect(parseCommand(text)).toBe(expected));

  it('options by number, label, typo or a distinctive word', () => {
    const menu = ['Consultar disponibilidade de fibra', 'Falar com um atendente'];
    expect(parseOption('Consultar', menu)).toBe(1);
    expect(parseOption('consutlar', menu)).toBe(1);
    expect(parseOption('opção 2', menu)).toBe(2);
    expect(parseOption('3', menu)).toBeUndefined();
  });

  it('e-mail may be skipped', () => {
    for (const t of ['pular', 'não tenho', 'Não tenho e-mail', 'sem email'])
      expect(isSkip(t)).toBe(true);
    expect(isSkip('maria@example.com')).toBe(false);
  });
});

describe('installation address', () => {
  const guess = 'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000';
  it('keeps the guess on yes, with complement and reference', () => {
    expect(parseInstallAddress('sim, apto 42, em frente ao banco', guess)).toEqual({
      line: guess,
      complement: 'apto 42',
      reference: 'em frente ao banco',
    });
  });
  it('completes a guess without a number', () => {
    expect(parseInstallAddress('120, casa 2', 'Rua Pará - Centro, Maringá')).toEqual({
      line: 'Rua Pará, 120 - Centro, Maringá',
      complement: 'casa 2',
    });
  });
  it('takes a typed address, and refuses one without a number', () => {
    expect(parseInstallAddress('Rua das Flores, 120, fundos, perto da padaria')).toEqual({
      line: 'Rua das Flores, 120',
      complement: 'fundos',
      reference: 'perto da padaria',
    });
    expect(parseInstallAddress('perto da padaria')).toBeUndefined();
  });
});

describe('texts file', () => {
  it('overrides entries and fills the provider name', () => {
    const texts = createTexts({
      providerName: 'Fibra Rápida',
      catalogue: mergeCatalogue({ askName: 'Como você se chama, por completo?' }),
    });
    expect(texts.askName).toBe('Como você se chama, por completo?');
    expect(texts.greeting()).toContain('assistente virtual da Fibra Rápida');
  });

  it('lists every problem: unknown keys (with a suggestion), missing and unknown placeholders', () => {
    let error: unknown;
    try {
      mergeCatalogue({
        askNmae: 'x',
        reserved: 'Reservado! Endereço: {address}',
        viable: 'Temos fibra em {lugar}',
        checking: 42,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TextsError);
    const problems = (error as TextsError).problems;
    expect(problems).toEqual([
      'askNmae: unknown key (did you mean "askName"? see `alcance texts defaults`)',
      'reserved: missing placeholder {date}',
      'viable: missing placeholder {place}',
      'viable: unknown placeholder {lugar} (this text may use {place}, {provider})',
      'checking: must be a non-empty string',
    ]);
  });
});
