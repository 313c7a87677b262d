// A local channel for trying the sales flow with no accounts: `alcance chat` reads lines from
// stdin and prints the engine's replies. "/loc -23.42 -51.93" sends a location.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../conversation/messages.js';
import { formatMenu } from '../shared/menu.js';

export const TERMINAL_HELP = `Converse como um cliente. Comandos do terminal:
  /loc LAT LNG [endereço]   envia uma localização (ex.: /loc -23.42 -51.93)
  /contato TELEFONE         envia um cartão de contato
  /figurinha                envia algo que o bot não lê (figurinha)
  /sair                     encerra`;

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  chatId?: string;
  senderName?: string;
}

export type TerminalLine =
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'message'; message: InboundMessage };

type Identity = Pick<InboundMessage, 'channel' | 'chatId' | 'senderName'>;

/** Turns one typed line into a message for the engine (or a terminal command). */
export function parseTerminalLine(line: string, identity: Identity): TerminalLine | undefined {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  const base = { ...identity, messageId: randomUUID(), sentAt: new Date() };
  const [command = '', ...args] = trimmed.split(/\s+/);
  switch (command.toLowerCase()) {
    case '/sair':
    case '/quit':
      return { kind: 'quit' };
    case '/ajuda':
    case '/help':
      return { kind: 'help' };
    case '/loc': {
      const lat = Number(args[0]);
      const lng = Number(args[1]);
      if (
        !Number.isFinite(lat) ||
        !Number.isFinite(lng) ||
        Math.abs(lat) > 90 ||
        Math.abs(lng) > 180
      ) {
        return { kind: 'invalid', reason: 'use: /loc LATITUDE LONGITUDE, ex.: /loc -23.42 -51.93' };
      }
      const address = args.slice(2).join(' ') || undefined;
      return {
        kind: 'message',
        message: { ...base, kind: 'location', point: { lat, lng }, address },
      };
    }
    case '/contato':
      return { kind: 'message', message: { ...base, kind: 'contact', phone: args.join(' ') } };
    case '/figurinha':
      return { kind: 'message', message: { ...base, kind: 'unsupported', what: 'sticker' } };
    default:
      return { kind: 'message', message: { ...base, kind: 'text', text: trimmed } };
  }
}

/** Plain-text rendering of the replies, one block per message. */
export function formatReplies(messages: OutboundMessage[]): string {
  return messages
    .map((m) => {
      switch (m.kind) {
        case 'text':
          return `bot: ${formatMenu(m.text, m.options)}`;
        case 'request-location':
          return [
            `bot: ${m.text}`,
            '     (envie /loc LAT LNG para mandar uma localização)',
            ...(m.findmeUrl
              ? [`     ${m.findmeText ?? 'Ou marque o local no mapa:'} ${m.findmeUrl}`]
              : []),
          ].join('\n');
        case 'location':
          return `bot: 📍 ${m.title ?? 'Localização'} ${m.point.lat}, ${m.point.lng}${m.address ? ` — ${m.address}` : ''}`;
      }
    })
    .join('\n\n');
}

/** Prints messages the engine sends later (a FindME hand-back) to the same terminal. */
export class TerminalSender implements ChannelSender {
  readonly channel = 'terminal' as const;

  constructor(private readonly output: Writable) {}

  send(_chatId: string, messages: OutboundMessage[]): Promise<void> {
    this.output.write(`${formatReplies(messages)}\n\n`);
    return Promise.resolve();
  }
}

/** Reads lines until end of input or /sair, one message at a time. */
export async function runTerminalChat(
  handler: ConversationHandler,
  options: TerminalChatOptions,
): Promise<void> {
  const { output } = options;
  const identity: Identity = {
    channel: 'terminal',
    chatId: options.chatId ?? `terminal-${randomUUID()}`,
    senderName: options.senderName,
  };
  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  output.write(`${TERMINAL_HELP}\n\n`);
  try {
    for await (const line of lines) {
      const parsed = parseTerminalLine(line, identity);
      if (!parsed) continue;
      if (parsed.kind === 'quit') break;
      if (parsed.kind === 'help') {
        output.write(`${TERMINAL_HELP}\n\n`);
        continue;
      }
      if (parsed.kind === 'invalid') {
        output.write(`(${parsed.reason})\n\n`);
        continue;
      }
      const replies = await handler.handle(parsed.message);
      if (replies.length) output.write(`${formatReplies(replies)}\n\n`);
    }
  } finally {
    lines.close();
  }
}
