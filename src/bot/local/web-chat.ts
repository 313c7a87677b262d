// A local web channel: a small chat page at GET /chat driving the same engine through
// POST /chat/messages. Messages the engine sends later (a FindME hand-back) wait in an outbox
// the page polls with GET /chat/messages.
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type {
  ChannelSender,
  ConversationHandler,
  InboundMessage,
  OutboundMessage,
} from '../conversation/messages.js';
import { createTexts, DEFAULT_PROVIDER_NAME, type Texts } from '../conversation/texts.js';
import { renderWebChatPage } from './web-chat-page.js';

const SESSION_ID = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, - or _');

export const MessageBody = z
  .object({
    sessionId: SESSION_ID,
    messageId: SESSION_ID.optional(),
    senderName: z.string().max(60).optional(),
    text: z.string().min(1).max(2000).optional(),
    location: z
      .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
      .optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.location === undefined), {
    message: 'send exactly one of text or location',
  });

/** Keeps what the engine sends to a web session between the page's polls. */
export class WebChatOutbox implements ChannelSender {
  readonly channel = 'web' as const;
  private readonly pending = new Map<string, OutboundMessage[]>();

  constructor(private readonly maxPerSession = 50) {}

  send(chatId: string, messages: OutboundMessage[]): Promise<void> {
    const queue = [...(this.pending.get(chatId) ?? []), ...messages];
    this.pending.set(chatId, queue.slice(-this.maxPerSession));
    return Promise.resolve();
  }

  take(chatId: string): OutboundMessage[] {
    const messages = this.pending.get(chatId) ?? [];
    this.pending.delete(chatId);
    return messages;
  }
}

export interface WebChatOptions {
  outbox?: WebChatOutbox;
  /** The provider's name and texts for the page; the defaults when omitted. */
  texts?: Texts;
}

/** Mount at the root: serves GET /chat, POST /chat/messages and GET /chat/messages. */
export function webChatRouter(handler: ConversationHandler, options: WebChatOptions = {}): Router {
  const router = express.Router();
  const outbox = options.outbox ?? new WebChatOutbox();
  const texts = options.texts ?? createTexts({ providerName: DEFAULT_PROVIDER_NAME });

  router.get('/chat', (_req, res) => {
    // The one inline script runs by its nonce; nothing else may load or run.
    const nonce = randomBytes(16).toString('base64');
    res
      .type('html')
      .set({
        'Cache-Control': 'no-store',
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      })
      .send(renderWebChatPage(texts, nonce));
  });

  router.post('/chat/messages', express.json({ limit: '16kb' }), async (req, res) => {
    const body = parse(MessageBody, req.body);
    const base = {
      channel: 'web' as const,
      chatId: body.sessionId,
      messageId: body.messageId ?? randomUUID(),
      sentAt: new Date(),
      senderName: body.senderName,
    };
    const message: InboundMessage = body.location
      ? { ...base, kind: 'location', point: body.location }
      : { ...base, kind: 'text', text: body.text ?? '' };
    const replies = await handler.handle(message);
    res.json({ replies });
  });

  router.get('/chat/messages', (req, res) => {
    const sessionId = parse(SESSION_ID, req.query.sessionId);
    res.set('Cache-Control', 'no-store').json({ replies: outbox.take(sessionId) });
  });

  return router;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new ValidationError(issue ? `${field ?? 'body'}: ${issue.message}` : 'invalid body', field);
}
