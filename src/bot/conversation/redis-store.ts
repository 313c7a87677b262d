import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConversationState } from './state.js';
import {
  chatKey,
  DEDUPE_TTL_SECONDS,
  type ChatKey,
  type ConversationStore,
  type StateChange,
  type Unlock,
} from './store.js';

export interface RedisStoreOptions {
  prefix?: string;
  /** How long a message id is remembered for duplicate detection. */
  dedupeTtlSeconds?: number;
  /** A crashed holder's lock frees itself after this long. */
  lockTtlMs?: number;
  /** How long to wait for another instance's lock before giving up. */
  lockWaitMs?: number;
  lockRetryMs?: number;
}

/** Another instance held the chat's lock for longer than we were willing to wait. */
export class ChatBusyError extends Error {
  constructor(readonly chat: string) {
    super('conversation is locked by another instance');
    this.name = 'ChatBusyError';
  }
}

// Deletes the lock only if we still own it (it may have expired and been taken by someone else).
const UNLOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Conversations in Redis, so they survive restarts and are shared by several instances. */
export class RedisConversationStore implements ConversationStore {
  private readonly prefix: string;
  private readonly dedupeTtlSeconds: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly lockRetryMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'alcance:conversation';
    this.dedupeTtlSeconds = options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.lockWaitMs = options.lockWaitMs ?? 20_000;
    this.lockRetryMs = options.lockRetryMs ?? 25;
  }

  async read(chat: ChatKey): Promise<ConversationState | undefined> {
    const raw = await this.redis.get(this.stateKey(chat));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as ConversationState;
    } catch {
      // A corrupt entry must not wedge the chat: start over.
      await this.redis.del(this.stateKey(chat));
      return undefined;
    }
  }

  async isProcessed(chat: ChatKey, messageId: string): Promise<boolean> {
    return (await this.redis.exists(this.seenKey(chat, messageId))) === 1;
  }

  /** MULTI/EXEC: the state change and the processed mark land together or not at all. */
  async commit(chat: ChatKey, messageId: string, change: StateChange): Promise<void> {
    const tx = this.redis.multi();
    if (change.kind === 'write') {
      const ttl = Math.max(1, change.ttlSeconds ?? this.ttlSeconds);
      tx.set(this.stateKey(chat), JSON.stringify(change.state), 'EX', ttl);
    } else if (change.kind === 'delete') {
      tx.del(this.stateKey(chat));
    }
    tx.set(this.seenKey(chat, messageId), '1', 'EX', this.dedupeTtlSeconds);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
  }

  async delete(chat: ChatKey): Promise<void> {
    await this.redis.del(this.stateKey(chat));
  }

  async lock(chat: ChatKey): Promise<Unlock> {
    const key = `${this.prefix}:lock:${chatKey(chat)}`;
    const token = randomUUID();
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      const got = await this.redis.set(key, token, 'PX', this.lockTtlMs, 'NX');
      if (got === 'OK') {
        return async () => {
          await this.redis.eval(UNLOCK_SCRIPT, 1, key, token);
        };
      }
      if (Date.now() >= deadline) throw new ChatBusyError(chatKey(chat));
      await sleep(this.lockRetryMs + Math.random() * this.lockRetryMs);
    }
  }

  private seenKey(chat: ChatKey, messageId: string): string {
    return `${this.prefix}:seen:${chatKey(chat)}:${messageId}`;
  }

  private stateKey(chat: ChatKey): string {
    return `${this.prefix}:state:${chatKey(chat)}`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
