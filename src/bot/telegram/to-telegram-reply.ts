import type { OutboundMessage } from '../conversation/messages.js';
import { formatMenu, splitText } from '../shared/menu.js';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup } from './telegraf.js';

/** Telegram rejects longer messages. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram rejects longer `callback_data` (bytes). */
const CALLBACK_DATA_LIMIT = 64;

/** One Bot API call, without `chat_id` (the channel adds it). */
export type TelegramCall =
  | {
      method: 'sendMessage';
      payload: {
        text: string;
        reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup;
        link_preview_options?: { is_disabled: boolean };
      };
    }
  | { method: 'sendLocation'; payload: { latitude: number; longitude: number } }
  | {
      method: 'sendVenue';
      payload: { latitude: number; longitude: number; title: string; address: string };
    };

export const LOCATION_BUTTON_TEXT = '📍 Enviar minha localização';
export const MAP_BUTTON_TEXT = '🗺️ Marcar no mapa';

/**
 * Converts one engine message to the Bot API calls that show it, in order.
 *
 * - text: the numbered menu as text (so typing "1" works) plus one inline button per option whose
 *   `callback_data` is the option key; long texts are split, the buttons go on the last piece.
 * - request-location: a one-time reply keyboard with a `request_location` button (private chats
 *   only, which are the only chats the bot serves), then the FindME link as text, with an inline
 *   URL button when the link is https (Telegram refuses buttons to other URLs).
 * - location: a venue when it has both title and address, a plain location otherwise.
 */
export function toTelegramReply(message: OutboundMessage): TelegramCall[] {
  switch (message.kind) {
    case 'text': {
      const options = message.options ?? [];
      const pieces = splitText(formatMenu(message.text, options), TELEGRAM_TEXT_LIMIT);
      const buttons = options.every((o) => Buffer.byteLength(o.key) <= CALLBACK_DATA_LIMIT)
        ? options.map((o) => [{ text: `${o.key}. ${o.label}`, callback_data: o.key }])
        : [];
      return pieces.map((text, index) => {
        const last = index === pieces.length - 1;
        return {
          method: 'sendMessage',
          payload:
            last && buttons.length > 0
              ? { text, reply_markup: { inline_keyboard: buttons } }
              : { text },
        };
      });
    }
    case 'request-location': {
      const calls: TelegramCall[] = splitText(message.text, TELEGRAM_TEXT_LIMIT).map((text) => ({
        method: 'sendMessage',
        payload: { text },
      }));
      const ask = calls[calls.length - 1];
      if (ask?.method === 'sendMessage') {
        ask.payload.reply_markup = {
          keyboard: [[{ text: LOCATION_BUTTON_TEXT, request_location: true }]],
          resize_keyboard: true,
          one_time_keyboard: true,
        };
      }
      if (message.findmeUrl) {
        const url = message.findmeUrl;
        calls.push({
          method: 'sendMessage',
          payload: {
            text: `${message.findmeText ?? 'Se preferir, marque o local no mapa:'}\n${url}`,
            link_preview_options: { is_disabled: true },
            ...(url.startsWith('https://')
              ? { reply_markup: { inline_keyboard: [[{ text: MAP_BUTTON_TEXT, url }]] } }
              : {}),
          },
        });
      }
      return calls;
    }
    case 'location': {
      const { lat, lng } = message.point;
      if (message.title && message.address) {
        return [
          {
            method: 'sendVenue',
            payload: {
              latitude: lat,
              longitude: lng,
              title: message.title,
              address: message.address,
            },
          },
        ];
      }
      return [{ method: 'sendLocation', payload: { latitude: lat, longitude: lng } }];
    }
  }
}
