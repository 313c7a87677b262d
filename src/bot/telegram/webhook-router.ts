import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import type { Update } from './telegraf.js';

/** What the webhook route needs from the channel. */
export interface TelegramWebhookTarget {
  readonly webhookPath: string | undefined;
  verifySecret(received: string | undefined): boolean;
  handleWebhookUpdate(update: Update): Promise<void>;
}

/**
 * The route Telegram posts updates to (the path of TELEGRAM_WEBHOOK_URL); mount it at '/'.
 * Requests without the right `X-Telegram-Bot-Api-Secret-Token` get 401 and are not processed.
 * The answer comes after the update was handled, so Telegram redelivers what failed to arrive.
 */
export function telegramWebhookRouter(channel: TelegramWebhookTarget): Router {
  const router = express.Router();
  const path = channel.webhookPath;
  if (!path) return router;
  router.post(path, express.json({ limit: '1mb' }), async (req, res) => {
    if (!channel.verifySecret(req.get('x-telegram-bot-api-secret-token'))) {
      res.status(401).json({ error: 'invalid secret token' });
      return;
    }
    const update = req.body as unknown;
    if (!isUpdate(update)) {
      res.status(400).json({ error: 'not a Telegram update' });
      return;
    }
    await channel.handleWebhookUpdate(update);
    res.json({ ok: true });
  });
  return router;
}

/** Compares without an early exit: both sides are hashed to equal length first. */
export function secretTokenMatches(expected: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}

function isUpdate(body: unknown): body is Update {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { update_id?: unknown }).update_id === 'number'
  );
}
