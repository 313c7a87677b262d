import type { InboundMessage } from '../conversation/messages.js';
import type { Message, Update, User } from './telegraf.js';

/**
 * Converts a Telegram update to the engine's InboundMessage, or `undefined` when the bot ignores it.
 *
 * Handled: new messages and inline-button presses (callback queries) in private chats. Ignored:
 * group, supergroup and channel chats (the bot sells one to one), edited messages (live-location
 * updates arrive this way; the first position is what we use), channel posts, bot senders, and
 * every other update kind. A pressed button comes back as the text of its option key, exactly as if
 * the customer had typed it.
 */
export function fromTelegrafUpdate(
  update: Update,
  receivedAt: Date = new Date(),
): InboundMessage | undefined {
  if ('message' in update) return fromMessage(update.message);
  if ('callback_query' in update) {
    const query = update.callback_query;
    const chat = query.message?.chat;
    if (!chat || chat.type !== 'private' || !('data' in query) || query.from.is_bot)
      return undefined;
    return {
      channel: 'telegram',
      chatId: String(chat.id),
      messageId: `cb:${query.id}`,
      sentAt: receivedAt,
      senderName: displayName(query.from),
      kind: 'text',
      text: query.data,
    };
  }
  return undefined;
}

function fromMessage(message: Message): InboundMessage | undefined {
  if (message.chat.type !== 'private' || !message.from || message.from.is_bot) return undefined;
  const base = {
    channel: 'telegram' as const,
    chatId: String(message.chat.id),
    messageId: String(message.message_id),
    sentAt: new Date(message.date * 1000),
    senderName: displayName(message.from),
  };
  if ('text' in message) return { ...base, kind: 'text', text: message.text };
  // A venue also carries `location`, so it is checked first to keep its title and address.
  if ('venue' in message) {
    const { location, title, address } = message.venue;
    return {
      ...base,
      kind: 'location',
      point: { lat: location.latitude, lng: location.longitude },
      name: title || undefined,
      address: address || undefined,
    };
  }
  if ('location' in message) {
    return {
      ...base,
      kind: 'location',
      point: { lat: message.location.latitude, lng: message.location.longitude },
    };
  }
  if ('contact' in message) {
    const contact = message.contact;
    const phone = contact.phone_number.replace(/\D/g, '');
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ') || undefined;
    // Only the customer's own contact (shared with the "share my number" button) reveals their phone.
    const own = contact.user_id !== undefined && contact.user_id === message.from.id;
    return { ...base, senderPhone: own ? phone : undefined, kind: 'contact', phone, name };
  }
  return { ...base, kind: 'unsupported', what: contentKey(message) };
}

// Fields every message may carry besides its content; the first other key names what was sent.
const METADATA_KEYS = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'business_connection_id',
  'date',
  'chat',
  'forward_origin',
  'forward_from',
  'forward_from_chat',
  'forward_from_message_id',
  'forward_signature',
  'forward_sender_name',
  'forward_date',
  'is_topic_message',
  'is_automatic_forward',
  'reply_to_message',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'edit_date',
  'has_protected_content',
  'is_from_offline',
  'media_group_id',
  'author_signature',
  'entities',
  'link_preview_options',
  'effect_id',
  'caption',
  'caption_entities',
  'show_caption_above_media',
  'has_media_spoiler',
  'reply_markup',
]);

function contentKey(message: Message): string {
  return Object.keys(message).find((key) => !METADATA_KEYS.has(key)) ?? 'unknown';
}

function displayName(user: User): string | undefined {
  return [user.first_name, user.last_name].filter(Boolean).join(' ') || undefined;
}
