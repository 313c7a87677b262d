// The chat transcript: every message in and out, written from the chat system's receive and send
// path (wrapping the handler the channels call and the senders the system uses), so the sales
// team reads what the customer saw. Recording never breaks or slows the chat: failures are logged
// without the text.
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../bot/conversation/messages.js';

export interface TranscriptLine {
  id: string;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'agent';
  agentName: string | null;
  text: string;
  at: string;
}

export interface TranscriptEntry {
  channel: string;
  chatId: string;
  direction: 'in' | 'out';
  author: 'customer' | 'bot' | 'agent';
  agentName?: string;
  text: string;
  at: Date;
}

const MAX_TEXT = 4000;

/** How an inbound message reads in the transcript. */
export function inboundText(m: InboundMessage): string {
  switch (m.kind) {
    case 'text':
      return m.text;
    case 'location':
      return `📍 Localização enviada (${m.point.lat.toFixed(5)}, ${m.point.lng.toFixed(5)})${m.address ? ` — ${m.address}` : ''}`;
    case 'findme-location':
      return `📍 Local confirmado no mapa (${m.point.lat.toFixed(5)}, ${m.point.lng.toFixed(5)})${m.address ? ` — ${m.address}` : ''}`;
    case 'contact':
      return `📇 Contato compartilhado: ${m.phone}${m.name ? ` (${m.name})` : ''}`;
    case 'unsupported':
      return `[${m.what} — o bot não lê este tipo de mensagem]`;
  }
}

/** How an outbound message reads in the transcript (options numbered as the channels show them). */
export function outboundText(m: OutboundMessage): string {
  switch (m.kind) {
    case 'text':
      return m.options?.length
        ? `${m.text}\n${m.options.map((o) => `${o.key}. ${o.label}`).join('\n')}`
        : m.text;
    case 'location':
      return `📍 ${m.title ?? 'Localização'} (${m.point.lat.toFixed(5)}, ${m.point.lng.toFixed(5)})${m.address ? ` — ${m.address}` : ''}`;
    case 'request-location':
      return `${m.text}${m.findmeUrl ? `\n🗺️ Link do mapa enviado` : ''}`;
  }
}

export class Transcript {
  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  async record(entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.chatTranscript.createMany({
      // Ids are minted in order (time, then a per-process counter): they keep the order of a
      // burst written in the same millisecond.
      data: entries.map((e) => ({
        id: newId(e.at.getTime()),
        channel: e.channel,
        chatId: e.chatId,
        direction: e.direction,
        author: e.author,
        agentName: e.agentName ?? null,
        text: e.text.slice(0, MAX_TEXT),
        at: e.at,
      })),
    });
  }

  /** Fire and forget, for the chat path: a failure is logged (without the text) and dropped. */
  recordQuietly(entries: TranscriptEntry[]): void {
    this.record(entries).catch((err: unknown) =>
      this.logger.warn(
        { err: (err as Error).name, channel: entries[0]?.channel },
        'transcript not recorded',
      ),
    );
  }

  /** The last `limit` messages of a chat, oldest first. */
  async list(channel: string, chatId: string, limit = 200): Promise<TranscriptLine[]> {
    const rows = await this.db.chatTranscript.findMany({
      where: { channel, chatId },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.reverse().map((r) => ({
      id: r.id,
      direction: r.direction as 'in' | 'out',
      author: r.author as TranscriptLine['author'],
      agentName: r.agentName,
      text: r.text,
      at: r.at.toISOString(),
    }));
  }

  /** Wraps the handler the channels call: records the inbound message and the bot's replies. */
  recordingHandler(handler: ConversationHandler, now: () => Date): ConversationHandler {
    return {
      handle: async (message) => {
        const replies = await handler.handle(message);
        const at = now();
        this.recordQuietly([
          {
            channel: message.channel,
            chatId: message.chatId,
            direction: 'in',
            author: 'customer',
            text: inboundText(message),
            // Our clock, not the channel's: the transcript's order is the order we handled it.
            at,
          },
          ...replies.map((r) => ({
            channel: message.channel,
            chatId: message.chatId,
            direction: 'out' as const,
            author: 'bot' as const,
            text: outboundText(r),
            at,
          })),
        ]);
        return replies;
      },
    };
  }

  /** Wraps a sender the system uses on its own (FindME hand-back, agents' replies). */
  recordingSender(
    sender: ChannelSender,
    now: () => Date,
    author: { author: 'bot' | 'agent'; agentName?: string } = { author: 'bot' },
  ): ChannelSender {
    return {
      channel: sender.channel,
      send: async (chatId, messages) => {
        await sender.send(chatId, messages);
        const at = now();
        this.recordQuietly(
          messages.map((m) => ({
            channel: sender.channel,
            chatId,
            direction: 'out' as const,
            ...author,
            text: outboundText(m),
            at,
          })),
        );
      },
    };
  }
}
