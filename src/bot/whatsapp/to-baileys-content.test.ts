import { describe, expect, it } from 'vitest';
import { SHARE_LOCATION_HELP, toBaileysContent } from './to-baileys-content.js';

describe('toBaileysContent', () => {
  it('sends text, with options as a numbered menu', () => {
    expect(toBaileysContent({ kind: 'text', text: 'Olá!' })).toEqual([{ text: 'Olá!' }]);
    expect(
      toBaileysContent({
        kind: 'text',
        text: 'Quer reservar a porta?',
        options: [
          { key: '1', label: 'Sim' },
          { key: '2', label: 'Não' },
        ],
      }),
    ).toEqual([{ text: 'Quer reservar a porta?\n\n1. Sim\n2. Não' }]);
  });

  it('sends a location message with its name and address', () => {
    expect(
      toBaileysContent({
        kind: 'location',
        point: { lat: -23.56, lng: -46.65 },
        title: 'CTO 7',
        address: 'Rua Augusta, 100',
      }),
    ).toEqual([
      {
        location: {
          degreesLatitude: -23.56,
          degreesLongitude: -46.65,
          name: 'CTO 7',
          address: 'Rua Augusta, 100',
        },
      },
    ]);
    expect(toBaileysContent({ kind: 'location', point: { lat: 1, lng: 2 } })).toEqual([
      { location: { degreesLatitude: 1, degreesLongitude: 2 } },
    ]);
  });

  it('explains how to share a location and offers the FindME page', () => {
    expect(
      toBaileysContent({
        kind: 'request-location',
        text: 'Onde fica o imóvel?',
        findmeUrl: 'https://alcance.example/f/x1',
      }),
    ).toEqual([
      {
        text: `Onde fica o imóvel?\n\n${SHARE_LOCATION_HELP}\n\nSe preferir, marque o local no mapa: https://alcance.example/f/x1`,
      },
    ]);
    expect(SHARE_LOCATION_HELP).toContain('📎');
    expect(SHARE_LOCATION_HELP).toContain('Localização');
    expect(toBaileysContent({ kind: 'request-location', text: 'Onde?' })).toEqual([
      { text: `Onde?\n\n${SHARE_LOCATION_HELP}` },
    ]);
  });
});
