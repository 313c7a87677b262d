import { describe, expect, it } from 'vitest';
import { fromCloudWebhook } from './from-cloud-webhook.js';

// Payloads in the shape of Meta's webhooks reference (messages, statuses, errors), with the
// reference's example ids.
const NUMBER_ID = '106540352242922';
const RECEIVED = new Date('2026-03-01T12:00:00Z');

function webhook(value: Record<string, unknown>, phoneNumberId = NUMBER_ID): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

const CONTACTS = [{ profile: { name: 'Maria Souza' }, wa_id: '5544999991234' }];

function message(fields: Record<string, unknown>): unknown {
  return webhook({
    contacts: CONTACTS,
    messages: [
      {
        from: '5544999991234',
        id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        timestamp: '1772366400',
        ...fields,
      },
    ],
  });
}

const convert = (payload: unknown) => fromCloudWebhook(payload, NUMBER_ID, RECEIVED);

describe('fromCloudWebhook', () => {
  it('reads a text message with the sender, profile name and Meta timestamp', () => {
    const events = convert(message({ type: 'text', text: { body: 'oi' } }));
    expect(events.messages).toEqual([
      {
        profileName: 'Maria Souza',
        message: {
          channel: 'whatsapp-cloud',
          chatId: '5544999991234',
          messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
          sentAt: new Date(1772366400 * 1000),
          senderName: 'Maria Souza',
          senderPhone: '5544999991234',
          kind: 'text',
          text: 'oi',
        },
      },
    ]);
    expect(events.ignored).toEqual([]);
  });

  it('reads a shared location with its name and address', () => {
    const events = convert(
      message({
        type: 'location',
        location: {
          address: 'Av. Brasil, 1000, Maringá',
          latitude: -23.4253,
          longitude: -51.9386,
          name: 'Casa',
          url: 'https://maps.google.com/?q=-23.4253,-51.9386',
        },
      }),
    );
    expect(events.messages[0]?.message).toMatchObject({
      kind: 'location',
      point: { lat: -23.4253, lng: -51.9386 },
      name: 'Casa',
      address: 'Av. Brasil, 1000, Maringá',
    });
  });

  it('turns a location without usable coordinates into an unsupported message', () => {
    for (const location of [
      {},
      { latitude: -23.4 },
      { latitude: 0, longitude: 0 },
      { latitude: 91, longitude: 1 },
    ]) {
      const events = convert(message({ type: 'location', location }));
      expect(events.messages[0]?.message).toMatchObject({
        kind: 'unsupported',
        what: 'location without coordinates',
      });
    }
  });

  it('turns a reply button tap into the label of the option it carries', () => {
    const events = convert(
      message({
        type: 'interactive',
        context: {
          from: '15550783881',
          id: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
        },
        interactive: {
          type: 'button_reply',
          button_reply: { id: 'opt|1|Consultar disponibilidade de fibra', title: '1. Consultar…' },
        },
      }),
    );
    expect(events.messages[0]?.message).toMatchObject({
      kind: 'text',
      text: 'Consultar disponibilidade de fibra',
    });
  });

  it('turns a list row tap into its option, and a foreign id into the row title', () => {
    const ours = convert(
      message({
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'opt|4|E-mail', title: 'E-mail', description: '' },
        },
      }),
    );
    expect(ours.messages[0]?.message).toMatchObject({ kind: 'text', text: 'E-mail' });
    const foreign = convert(
      message({
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: {
            id: 'priority_express',
            title: 'Priority Mail Express',
            description: 'Next Day to 2 Days',
          },
        },
      }),
    );
    expect(foreign.messages[0]?.message).toMatchObject({
      kind: 'text',
      text: 'Priority Mail Express',
    });
  });

  it('reads a template quick-reply button as its text', () => {
    const events = convert(
      message({ type: 'button', button: { payload: 'RESERVAR', text: 'Quero reservar' } }),
    );
    expect(events.messages[0]?.message).toMatchObject({ kind: 'text', text: 'Quero reservar' });
  });

  it('reads a shared contact card as a phone number', () => {
    const events = convert(
      message({
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'João Lima', first_name: 'João' },
            phones: [{ phone: '+55 44 98888-7777', type: 'CELL', wa_id: '5544988887777' }],
          },
        ],
      }),
    );
    expect(events.messages[0]?.message).toMatchObject({
      kind: 'contact',
      phone: '5544988887777',
      name: 'João Lima',
    });
    const withoutWaId = convert(
      message({ type: 'contacts', contacts: [{ phones: [{ phone: '+55 (44) 3222-1111' }] }] }),
    );
    expect(withoutWaId.messages[0]?.message).toMatchObject({
      kind: 'contact',
      phone: '554432221111',
    });
  });

  it('turns images, voice notes, stickers and unknown types into unsupported messages', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        {
          type: 'image',
          image: {
            caption: 'minha casa',
            mime_type: 'image/jpeg',
            sha256: '81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3',
            id: '2754859441498128',
          },
        },
        'image',
      ],
      [
        {
          type: 'audio',
          audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x', id: '1', voice: true },
        },
        'voice',
      ],
      [
        { type: 'sticker', sticker: { mime_type: 'image/webp', id: '2', animated: false } },
        'sticker',
      ],
      [
        {
          type: 'unsupported',
          errors: [
            {
              code: 131051,
              title: 'Message type unknown',
              message: 'Message type unknown',
              error_data: { details: 'Message type is currently not supported.' },
            },
          ],
        },
        'unsupported',
      ],
      [{ type: 'poll_vote', poll_vote: {} }, 'poll_vote'],
    ];
    for (const [fields, what] of cases) {
      expect(convert(message(fields)).messages[0]?.message).toMatchObject({
        kind: 'unsupported',
        what,
      });
    }
  });

  it('ignores reactions and system notices without answering them', () => {
    const events = convert(
      webhook({
        messages: [
          {
            from: '5544999991234',
            id: 'wamid.r',
            timestamp: '1772366400',
            type: 'reaction',
            reaction: { message_id: 'wamid.x', emoji: '👍' },
          },
          {
            from: '5544999991234',
            id: 'wamid.s',
            timestamp: '1772366400',
            type: 'system',
            system: { body: 'changed number' },
          },
        ],
      }),
    );
    expect(events.messages).toEqual([]);
    expect(events.ignored.map((i) => i.type)).toEqual(['reaction', 'system']);
  });

  it('keys a customer known only by a business-scoped user id by that id, with no phone', () => {
    const events = convert(
      webhook({
        contacts: [{ profile: { name: 'Ana' }, user_id: 'BR.13491208655302741918' }],
        messages: [
          {
            from_user_id: 'BR.13491208655302741918',
            id: 'wamid.b',
            timestamp: '1772366400',
            type: 'text',
            text: { body: 'oi' },
          },
        ],
      }),
    );
    expect(events.messages[0]?.message).toMatchObject({
      chatId: 'BR.13491208655302741918',
      senderName: 'Ana',
    });
    expect(events.messages[0]?.message).not.toHaveProperty('senderPhone');
  });

  it('reads delivery statuses and failures with their error codes', () => {
    const events = convert(
      webhook({
        statuses: [
          {
            id: 'wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=',
            status: 'delivered',
            timestamp: '1772366410',
            recipient_id: '5544999991234',
            pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
          },
          {
            id: 'wamid.failed',
            status: 'failed',
            timestamp: '1772366420',
            recipient_id: '5544999991234',
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                message: 'Re-engagement message',
                error_data: {
                  details:
                    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
                },
                href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
              },
            ],
          },
        ],
      }),
    );
    expect(events.statuses).toEqual([
      {
        messageId: 'wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=',
        status: 'delivered',
        chatId: '5544999991234',
        at: new Date(1772366410 * 1000),
        errors: [],
      },
      {
        messageId: 'wamid.failed',
        status: 'failed',
        chatId: '5544999991234',
        at: new Date(1772366420 * 1000),
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            details: expect.stringContaining('24 hours') as string,
          },
        ],
      },
    ]);
  });

  it('reports errors Meta attaches to the change itself', () => {
    const events = convert(
      webhook({
        errors: [
          {
            code: 131000,
            title: 'Something went wrong',
            message: 'Something went wrong',
            error_data: { details: 'Unknown error' },
          },
        ],
      }),
    );
    expect(events.errors).toEqual([
      { code: 131000, title: 'Something went wrong', details: 'Unknown error' },
    ]);
  });

  it('reads every entry, change and message of a batch, in order', () => {
    const payload = webhook({
      contacts: CONTACTS,
      messages: [
        {
          from: '5544999991234',
          id: 'wamid.1',
          timestamp: '1772366400',
          type: 'text',
          text: { body: 'oi' },
        },
        {
          from: '5544999991234',
          id: 'wamid.2',
          timestamp: '1772366401',
          type: 'text',
          text: { body: '1' },
        },
      ],
    }) as { entry: Array<Record<string, unknown>> };
    const second = webhook({
      messages: [
        {
          from: '5511988887777',
          id: 'wamid.3',
          timestamp: '1772366402',
          type: 'text',
          text: { body: 'olá' },
        },
      ],
    }) as { entry: Array<Record<string, unknown>> };
    payload.entry.push(...second.entry);
    expect(convert(payload).messages.map((m) => m.message.messageId)).toEqual([
      'wamid.1',
      'wamid.2',
      'wamid.3',
    ]);
  });

  it("ignores other numbers' events, other fields and other objects", () => {
    expect(
      convert(
        webhook({ messages: [{ from: '1', id: 'w', type: 'text', text: { body: 'oi' } }] }, '999'),
      ).messages,
    ).toEqual([]);
    expect(
      convert({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }],
          },
        ],
      }).ignored,
    ).toEqual([{ reason: 'webhook field not used', type: 'message_template_status_update' }]);
    expect(convert({ object: 'page', entry: [] }).ignored[0]?.reason).toMatch(/not a WhatsApp/);
    expect(convert('nonsense').ignored[0]?.reason).toBe('not a webhook payload');
  });

  it('skips a malformed message without losing the valid one beside it', () => {
    const events = convert(
      webhook({
        messages: [
          { from: '5544999991234', type: 'text' },
          {
            from: '5544999991234',
            id: 'wamid.ok',
            timestamp: '1772366400',
            type: 'text',
            text: { body: 'oi' },
          },
        ],
      }),
    );
    expect(events.messages.map((m) => m.message.messageId)).toEqual(['wamid.ok']);
    expect(events.ignored).toEqual([{ reason: 'malformed message' }]);
  });

  it('uses the receive time when Meta sends no timestamp', () => {
    const events = convert(
      webhook({
        messages: [{ from: '5544999991234', id: 'wamid.t', type: 'text', text: { body: 'oi' } }],
      }),
    );
    expect(events.messages[0]?.message.sentAt).toEqual(RECEIVED);
  });
});
