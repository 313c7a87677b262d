import { createHash } from 'node:crypto';
import { maskPii } from '../../logger.js';
import { maskNumbers } from '../shared/chat-queue.js';

/** An error for the log: its message with personal data and long digit runs masked. */
export function describe(error: unknown): string {
  return maskPii(maskNumbers(error instanceof Error ? error.message : String(error)));
}

/** A wamid for logs: short and not reversible (it embeds the customer's number). */
export function shortHash(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 12);
}
