import { describe, expect, it } from 'vitest';
import { fromTelegrafUpdate } from './from-telegraf-update.js';
import type { Update } from './telegraf.js';

const from = { id: 42, is_bot: false, first_name: 'João', last_name: 'Lima' };
const chat = { id: 42, type: 'private' as const, first_name: 'João' };
const base = { message_id: 7, date: 1_760_000_000, chat, from };
const common = {
  channel: 'telegram',
  chatId: '42',
  messageId: '7',
  sentAt: new Date(1_760_000_000_000),
  senderName: 'João Lima',
};

function update(message: object): Update {
  return { update_id: 1, message: { ...base, ...message } } as unknown as Update;
}

describe('fromTelegrafUpdate', () => {
  it('converts text', () => {
    expect(fromTelegrafUpdate(update({ text: '/start' }))).toEqual({
      ...common,
      kind: 'text',
      text: '/start',
    });
  });

  it('converts a location', () => {
    expect(
      fromTelegrafUpdate(
        update({ location: { latitude: -22.9, longitude: -43.2, horizontal_accuracy: 12 } }),
      ),
    ).toEqual({ ...common, kind: 'location', point: { lat: -22.9, lng: -43.2 } });
  });

  it('converts a venue to a location with its title and address', () => {
    const location = { latitude: -23.55, longitude: -46.63 };
    expect(
      fromTelegrafUpdate(
        update({
          location,
          venue: { location, title: 'Padaria Central', address: 'Rua Direita, 10' },
        }),
      ),
    ).toEqual({
      ...common,
      kind: 'location',
      point: { lat: -23.55, lng: -46.63 },
      name: 'Padaria Central',
      address: 'Rua Direita, 10',
    });
  });

  it("converts the customer's own contact, revealing their phone", () => {
    expect(
      fromTelegrafUpdate(
        update({
          contact: { phone_number: '+55 (11) 98765-4321', first_name: 'João', user_id: 42 },
        }),
      ),
    ).toEqual({
      ...common,
      kind: 'contact',
      phone: '5511987654321',
      name: 'João',
      senderPhone: '5511987654321',
    });
  });

  it("does not take someone else's contact as the sender's phone", () => {
    const inbound = fromTelegrafUpdate(
      update({ contact: { phone_number: '5521999998888', first_name: 'Ana', last_name: 'Reis' } }),
    );
    expect(inbound).toMatchObject({ kind: 'contact', phone: '5521999998888', name: 'Ana Reis' });
    expect(inbound?.senderPhone).toBeUndefined();
  });

  it('names what it cannot read', () => {
    const photo = [{ file_id: 'x', file_unique_id: 'y', width: 1, height: 1 }];
    expect(fromTelegrafUpdate(update({ photo, caption: 'minha casa' }))).toEqual({
      ...common,
      kind: 'unsupported',
      what: 'photo',
    });
    expect(fromTelegrafUpdate(update({ sticker: { file_id: 's' } }))).toMatchObject({
      kind: 'unsupported',
      what: 'sticker',
    });
    expect(fromTelegrafUpdate(update({ voice: { file_id: 'v', duration: 3 } }))).toMatchObject({
      what: 'voice',
    });
  });

  it('converts an inline button press to the text of its key', () => {
    const received = new Date('2026-01-02T03:04:05Z');
    const pressed = {
      update_id: 2,
      callback_query: {
        id: 'q1',
        from,
        chat_instance: 'c',
        data: '1',
        message: { ...base, text: 'menu' },
      },
    } as unknown as Update;
    expect(fromTelegrafUpdate(pressed, received)).toEqual({
      ...common,
      messageId: 'cb:q1',
      sentAt: received,
      kind: 'text',
      text: '1',
    });
  });

  it('ignores groups, channel posts, edited messages, bots and other update kinds', () => {
    const group = { ...base, chat: { id: -5, type: 'group', title: 'g' }, text: 'oi' };
    expect(
      fromTelegrafUpdate({ update_id: 3, message: group } as unknown as Update),
    ).toBeUndefined();
    const edited = { update_id: 4, edited_message: { ...base, edit_date: 1, text: 'oi' } };
    expect(fromTelegrafUpdate(edited as unknown as Update)).toBeUndefined();
    const post = {
      update_id: 5,
      channel_post: {
        message_id: 1,
        date: 1,
        chat: { id: -9, type: 'channel', title: 'c' },
        text: 'x',
      },
    };
    expect(fromTelegrafUpdate(post as unknown as Update)).toBeUndefined();
    const bot = update({ from: { id: 9, is_bot: true, first_name: 'b' }, text: 'oi' });
    expect(fromTelegrafUpdate(bot)).toBeUndefined();
    const member = { update_id: 6, my_chat_member: {} };
    expect(fromTelegrafUpdate(member as unknown as Update)).toBeUndefined();
  });
});
