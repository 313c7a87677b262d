import { createHash } from 'node:crypto';
import type { Db } from '../../ozmap-model/db/client.js';
import type { ConversationState } from './state.js';
import {
  chatKey,
  DEDUPE_TTL_SECONDS,
  type ChatKey,
  type ConversationStore,
  type StateChange,
  type Unlock,
} from './store.js';

export interface DatabaseStoreOptions {
  dedupeTtlSeconds?: number;
  /** Expired rows are deleted every this many commits... */
  sweepEvery?: number;
  /** ...at most this many per table, so no commit pays for a large backlog. */
  sweepBatch?: number;
}

/**
 * Conversations in the database: the embedded default (no Redis), so a restart does not lose
 * them. The state change and the processed message id are written in one transaction. Expired
 * rows are deleted in small batches every few commits (indexed on expiresAt): O(1) amortised per
 * write, and the tables hold only live conversations and the last day's message ids.
 *
 * Locking is per process (the engine's queue): several instances need REDIS_URL.
 */
export class DatabaseConversationStore implements ConversationStore {
  private commits = 0;
  private readonly dedupeTtlSeconds: number;
  private readonly sweepEvery: number;
  private readonly sweepBatch: number;

  constructor(
    private readonly db: Db,
    private readonly ttlSeconds: number,
    private readonly clock: () => Date = () => new Date(),
    options: DatabaseStoreOptions = {},
  ) {
    this.dedupeTtlSeconds = options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS;
    this.sweepEvery = options.sweepEvery ?? 64;
    this.sweepBatch = options.sweepBatch ?? 200;
  }

  async read(chat: ChatKey): Promise<ConversationState | undefined> {
    const row = await this.db.chatConversation.findUnique({ where: { chatKey: chatKey(chat) } });
    if (!row || row.expiresAt.getTime() <= this.clock().getTime()) return undefined;
    try {
      return JSON.parse(row.stateJson) as ConversationState;
    } catch {
      // A corrupt row must not wedge the chat: start over.
      await this.delete(chat);
      return undefined;
    }
  }

  async isProcessed(chat: ChatKey, messageId: string): Promise<boolean> {
    const row = await this.db.chatProcessedMessage.findUnique({
      where: { id: seenId(chat, messageId) },
      select: { expiresAt: true },
    });
    return row !== null && row.expiresAt.getTime() > this.clock().getTime();
  }

  async commit(chat: ChatKey, messageId: string, change: StateChange): Promise<void> {
    const now = this.clock().getTime();
    const key = chatKey(chat);
    const id = seenId(chat, messageId);
    const seenUntil = new Date(now + this.dedupeTtlSeconds * 1000);
    await this.db.$transaction(async (tx) => {
      if (change.kind === 'write') {
        const expiresAt = new Date(now + (change.ttlSeconds ?? this.ttlSeconds) * 1000);
        const stateJson = JSON.stringify(change.state);
        await tx.chatConversation.upsert({
          where: { chatKey: key },
          create: { chatKey: key, stateJson, expiresAt },
          update: { stateJson, expiresAt },
        });
      } else if (change.kind === 'delete') {
        await tx.chatConversation.deleteMany({ where: { chatKey: key } });
      }
      await tx.chatProcessedMessage.upsert({
        where: { id },
        create: { id, expiresAt: seenUntil },
        update: { expiresAt: seenUntil },
      });
    });
    if (++this.commits % this.sweepEvery === 0) await this.sweep(new Date(now));
  }

  async delete(chat: ChatKey): Promise<void> {
    await this.db.chatConversation.deleteMany({ where: { chatKey: chatKey(chat) } });
  }

  lock(_chat: ChatKey): Promise<Unlock> {
    return Promise.resolve(() => Promise.resolve());
  }

  /** Deletes up to one batch of expired rows from each table. */
  async sweep(now = this.clock()): Promise<number> {
    const expired = { expiresAt: { lte: now } };
    const states = await this.db.chatConversation.findMany({
      where: expired,
      select: { chatKey: true },
      take: this.sweepBatch,
    });
    const seen = await this.db.chatProcessedMessage.findMany({
      where: expired,
      select: { id: true },
      take: this.sweepBatch,
    });
    if (states.length) {
      await this.db.chatConversation.deleteMany({
        where: { chatKey: { in: states.map((s) => s.chatKey) }, ...expired },
      });
    }
    if (seen.length) {
      await this.db.chatProcessedMessage.deleteMany({
        where: { id: { in: seen.map((s) => s.id) } },
      });
    }
    return states.length + seen.length;
  }
}

function seenId(chat: ChatKey, messageId: string): string {
  return createHash('sha256')
    .update(`${chatKey(chat)}\n${messageId}`)
    .digest('base64url');
}
