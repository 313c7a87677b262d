import { describe, expect, it } from 'vitest';
import { proto, type WAMessage } from './baileys.js';
import { fromBaileysMessage, phoneFromVcard } from './from-baileys-message.js';

const CHAT = '5511987654321@s.whatsapp.net';
const SENT = 1_760_000_000;

/** A message as Baileys emits it: built with its own protobuf types. */
function wa(message: object, key: object = {}): WAMessage {
  const built = proto.WebMessageInfo.fromObject({
    key: { remoteJid: CHAT, fromMe: false, id: '3EB0C0FFEE', ...key },
    messageTimestamp: SENT,
    pushName: 'Maria',
    message,
  });
  return built as WAMessage;
}

const common = {
  channel: 'whatsapp',
  chatId: CHAT,
  messageId: '3EB0C0FFEE',
  sentAt: new Date(SENT * 1000),
  senderName: 'Maria',
  senderPhone: '5511987654321',
};

describe('fromBaileysMessage', () => {
  it('converts plain and extended text', () => {
    expect(fromBaileysMessage(wa({ conversation: 'oi' }))).toEqual({
      ...common,
      kind: 'text',
      text: 'oi',
    });
    expect(
      fromBaileysMessage(wa({ extendedTextMessage: { text: 'quero fibra', contextInfo: {} } })),
    ).toEqual({
      ...common,
      kind: 'text',
      text: 'quero fibra',
    });
  });

  it('converts a location, also inside a disappearing-message wrapper', () => {
    const locationMessage = {
      degreesLatitude: -23.5614,
      degreesLongitude: -46.6559,
      name: 'Casa',
      address: 'Av. Paulista, 1000',
    };
    const expected = {
      ...common,
      kind: 'location',
      point: { lat: -23.5614, lng: -46.6559 },
      name: 'Casa',
      address: 'Av. Paulista, 1000',
    };
    expect(fromBaileysMessage(wa({ locationMessage }))).toEqual(expected);
    expect(fromBaileysMessage(wa({ ephemeralMessage: { message: { locationMessage } } }))).toEqual(
      expected,
    );
    expect(
      fromBaileysMessage(
        wa({
          viewOnceMessageV2: {
            message: { locationMessage: { degreesLatitude: 1, degreesLongitude: 2 } },
          },
        }),
      ),
    ).toEqual({ ...common, kind: 'location', point: { lat: 1, lng: 2 } });
  });

  it('takes a live location once, as a location', () => {
    expect(
      fromBaileysMessage(
        wa({
          liveLocationMessage: {
            degreesLatitude: -3.1,
            degreesLongitude: -60.0,
            sequenceNumber: 1,
            caption: 'aqui',
          },
        }),
      ),
    ).toEqual({ ...common, kind: 'location', point: { lat: -3.1, lng: -60.0 }, name: 'aqui' });
  });

  it('converts a shared contact', () => {
    const vcard =
      'BEGIN:VCARD\nVERSION:3.0\nFN:Ana Reis\nTEL;type=CELL;type=VOICE;waid=5521999998888:+55 21 99999-8888\nEND:VCARD';
    expect(fromBaileysMessage(wa({ contactMessage: { displayName: 'Ana Reis', vcard } }))).toEqual({
      ...common,
      kind: 'contact',
      phone: '5521999998888',
      name: 'Ana Reis',
    });
  });

  it('names media it cannot read', () => {
    expect(fromBaileysMessage(wa({ stickerMessage: { mimetype: 'image/webp' } }))).toEqual({
      ...common,
      kind: 'unsupported',
      what: 'sticker',
    });
    expect(fromBaileysMessage(wa({ imageMessage: { caption: 'fachada' } }))).toMatchObject({
      what: 'image',
    });
    expect(fromBaileysMessage(wa({ audioMessage: { ptt: true } }))).toMatchObject({
      what: 'audio',
    });
    expect(fromBaileysMessage(wa({ videoMessage: {} }))).toMatchObject({ what: 'video' });
    expect(
      fromBaileysMessage(
        wa({
          documentWithCaptionMessage: { message: { documentMessage: { fileName: 'conta.pdf' } } },
        }),
      ),
    ).toMatchObject({ what: 'document' });
  });

  it('uses the phone-number JID of a LID-addressed chat', () => {
    const message = wa({ conversation: 'oi' }, { remoteJid: '123456789012345@lid' });
    (message.key as { remoteJidAlt?: string }).remoteJidAlt = CHAT;
    expect(fromBaileysMessage(message)).toEqual({ ...common, kind: 'text', text: 'oi' });

    const bare = fromBaileysMessage(
      wa({ conversation: 'oi' }, { remoteJid: '123456789012345@lid' }),
    );
    expect(bare).toMatchObject({ chatId: '123456789012345@lid', kind: 'text' });
    expect(bare?.senderPhone).toBeUndefined();
  });

  it('ignores own messages, groups, status, newsletters, stubs and protocol messages', () => {
    expect(fromBaileysMessage(wa({ conversation: 'eco' }, { fromMe: true }))).toBeUndefined();
    expect(
      fromBaileysMessage(
        wa({ conversation: 'oi' }, { remoteJid: '120363025246125486@g.us', participant: CHAT }),
      ),
    ).toBeUndefined();
    expect(
      fromBaileysMessage(wa({ conversation: 'oi' }, { remoteJid: 'status@broadcast' })),
    ).toBeUndefined();
    expect(
      fromBaileysMessage(
        wa({ conversation: 'oi' }, { remoteJid: '120363144038483540@newsletter' }),
      ),
    ).toBeUndefined();
    expect(
      fromBaileysMessage(
        proto.WebMessageInfo.fromObject({ key: { remoteJid: CHAT, id: 'x' }, messageStubType: 2 }),
      ),
    ).toBeUndefined();
    expect(fromBaileysMessage(wa({ protocolMessage: { type: 0 } }))).toBeUndefined();
    expect(fromBaileysMessage(wa({ reactionMessage: { text: '👍' } }))).toBeUndefined();
  });
});

describe('phoneFromVcard', () => {
  it('prefers waid and falls back to the first TEL line', () => {
    expect(phoneFromVcard('TEL;waid=5511911112222:+55 11 91111-2222')).toBe('5511911112222');
    expect(phoneFromVcard('BEGIN:VCARD\nTEL;TYPE=CELL:+55 (48) 3333-4444\nEND:VCARD')).toBe(
      '554833334444',
    );
    expect(phoneFromVcard('BEGIN:VCARD\nFN:x\nEND:VCARD')).toBeUndefined();
    expect(phoneFromVcard(undefined)).toBeUndefined();
  });
});
