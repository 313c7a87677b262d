// The only message shapes the conversation engine sees. Channel adapters convert vendor payloads
// to and from these at the edge (fromTelegrafUpdate, fromBaileysMessage, toTelegramReply, ...).

/** `whatsapp` is Baileys, `whatsapp-cloud` the official Cloud API: a customer's chats never mix. */
export type Channel = 'telegram' | 'whatsapp' | 'whatsapp-cloud' | 'web' | 'terminal';

export interface GeoPoint {
  lat: number;
  lng: number;
}

interface InboundBase {
  channel: Channel;
  /** Channel-scoped chat id (Telegram chat id, WhatsApp JID, web session id). */
  chatId: string;
  /** Channel message id, used to process duplicate deliveries once. */
  messageId: string;
  /** When the channel says the message was sent. */
  sentAt: Date;
  /** Display name the channel gives for the sender, if any. */
  senderName?: string;
  /** Sender phone number in E.164 digits when the channel reveals it (WhatsApp, Telegram contact). */
  senderPhone?: string;
}

export type InboundMessage =
  | (InboundBase & { kind: 'text'; text: string })
  | (InboundBase & { kind: 'location'; point: GeoPoint; address?: string; name?: string })
  | (InboundBase & { kind: 'contact'; phone: string; name?: string })
  /** A location confirmed on the FindME page, handed back into the conversation. */
  | (InboundBase & { kind: 'findme-location'; point: GeoPoint; address?: string; linkId: string })
  /** Stickers, audio, images, documents...: anything the bot cannot read. */
  | (InboundBase & { kind: 'unsupported'; what: string });

export interface MenuOption {
  /** What the customer may type to pick it ("1"). */
  key: string;
  label: string;
}

export type OutboundMessage =
  /** `text` does not list the options: adapters number them after it (shared/menu.ts formatMenu). */
  | { kind: 'text'; text: string; options?: MenuOption[] }
  | { kind: 'location'; point: GeoPoint; title?: string; address?: string }
  /**
   * Ask the customer to share a location (Telegram shows a request-location keyboard). `text` has
   * neither the how-to nor the link: adapters add their channel's how-to and `findmeUrl`.
   */
  | {
      kind: 'request-location';
      text: string;
      findmeUrl?: string;
      /** The sentence that introduces the link ("Se preferir, marque o local no mapa:"). */
      findmeText?: string;
      /** How to share a location in this channel's app, where it has no button for it. */
      howTo?: string;
    };

export interface Outbound {
  channel: Channel;
  chatId: string;
  messages: OutboundMessage[];
}

/** Delivers engine output to one channel. Each adapter (telegram, whatsapp, web, terminal) is one. */
export interface ChannelSender {
  channel: Channel;
  send(chatId: string, messages: OutboundMessage[]): Promise<void>;
}

/** What an adapter calls for every inbound message; the replies come back for it to send. */
export interface ConversationHandler {
  handle(message: InboundMessage): Promise<OutboundMessage[]>;
}
