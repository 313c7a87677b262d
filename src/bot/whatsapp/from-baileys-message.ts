import type { InboundMessage } from '../conversation/messages.js';
import {
  getContentType,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  type proto,
  type WAMessageKey,
} from './baileys.js';

/** Content types that are not something the customer said: receipts, reactions, key exchanges. */
const IGNORED_TYPES = new Set([
  'protocolMessage',
  'reactionMessage',
  'encReactionMessage',
  'pollUpdateMessage',
  'keepInChatMessage',
  'pinInChatMessage',
  'senderKeyDistributionMessage',
  'messageHistoryBundle',
]);

/**
 * Converts a Baileys message to the engine's InboundMessage, or `undefined` when the bot ignores it:
 * our own messages, groups, status broadcasts, newsletters, content-less stubs (e.g. a message
 * Baileys could not decrypt yet) and protocol messages.
 *
 * Wrappers (disappearing-message chats, view once) are unwrapped first. A live location is taken
 * once, as a plain location (linked devices never receive its updates). With LID addressing the
 * chat is identified by the phone-number JID when the key carries it (`remoteJidAlt`).
 */
export function fromBaileysMessage(
  message: proto.IWebMessageInfo,
  receivedAt: Date = new Date(),
): InboundMessage | undefined {
  const key: WAMessageKey | null | undefined = message.key;
  const remote = key?.remoteJid;
  if (!key || !remote || key.fromMe) return undefined;
  if (isJidGroup(remote) || isJidBroadcast(remote) || isJidNewsletter(remote)) return undefined;

  const content = normalizeMessageContent(message.message);
  const type = getContentType(content ?? undefined);
  if (!content || !type || IGNORED_TYPES.has(type)) return undefined;

  const phoneJid = isPnUser(remote)
    ? remote
    : isPnUser(key.remoteJidAlt)
      ? key.remoteJidAlt
      : undefined;
  const base = {
    channel: 'whatsapp' as const,
    chatId: jidNormalizedUser(phoneJid ?? remote),
    messageId: key.id ?? '',
    sentAt: timestampOf(message.messageTimestamp) ?? receivedAt,
    senderName: message.pushName || undefined,
    senderPhone: phoneJid ? jidDecode(phoneJid)?.user : undefined,
  };

  // A plain string switch: every other content type is 'unsupported'.
  switch (type as string) {
    case 'conversation':
      return { ...base, kind: 'text', text: content.conversation ?? '' };
    case 'extendedTextMessage':
      return { ...base, kind: 'text', text: content.extendedTextMessage?.text ?? '' };
    case 'locationMessage': {
      const location = content.locationMessage;
      if (!location) return undefined;
      return {
        ...base,
        kind: 'location',
        point: { lat: location.degreesLatitude ?? 0, lng: location.degreesLongitude ?? 0 },
        name: location.name || undefined,
        address: location.address || undefined,
      };
    }
    case 'liveLocationMessage': {
      const live = content.liveLocationMessage;
      if (!live) return undefined;
      return {
        ...base,
        kind: 'location',
        point: { lat: live.degreesLatitude ?? 0, lng: live.degreesLongitude ?? 0 },
        name: live.caption || undefined,
      };
    }
    case 'contactMessage': {
      const contact = content.contactMessage;
      const phone = phoneFromVcard(contact?.vcard);
      if (!phone) return { ...base, kind: 'unsupported', what: 'contact without phone' };
      return { ...base, kind: 'contact', phone, name: contact?.displayName || undefined };
    }
    default:
      return { ...base, kind: 'unsupported', what: type.replace(/Message$/, '') };
  }
}

/** The number of a vCard: WhatsApp's `waid=` parameter, else the first TEL line. Digits only. */
export function phoneFromVcard(vcard: string | null | undefined): string | undefined {
  if (!vcard) return undefined;
  const waid = /waid=(\d+)/i.exec(vcard);
  if (waid?.[1]) return waid[1];
  const tel = /^TEL[^:]*:(.+)$/im.exec(vcard);
  const digits = tel?.[1]?.replace(/\D/g, '');
  return digits || undefined;
}

function timestampOf(value: proto.IWebMessageInfo['messageTimestamp']): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = typeof value === 'number' ? value : value.toNumber();
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}
