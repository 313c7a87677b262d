import type { ConversationState } from './state.js';
import {
  chatKey,
  DEDUPE_TTL_SECONDS,
  type ChatKey,
  type ConversationStore,
  type StateChange,
  type Unlock,
} from './store.js';

export interface MemoryStoreOptions {
  /** Default state lifetime. */
  ttlSeconds: number;
  clock?: () => Date;
  dedupeTtlSeconds?: number;
  /** Memory bound: past this many conversations the least recently written is dropped. */
  maxConversations?: number;
  /** Memory bound for remembered message ids. */
  maxMessageIds?: number;
}

/**
 * Entries that expire, in memory, with O(1) amortised expiry per write and a size bound. Each
 * distinct lifetime gets a FIFO of (key, expiry): within one lifetime, later writes expire later,
 * so each write only pops the expired heads of those queues. Overwritten entries leave stale queue
 * records that are skipped when reached (or compacted away once they outnumber live entries).
 */
export class ExpiringMap<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly queues = new Map<number, { keys: string[]; at: number[]; head: number }>();
  private queued = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, ttlMs: number): void {
    const now = this.now();
    this.expire(now);
    const expiresAt = now + ttlMs;
    // Delete first so Map order is write order: the oldest write is first when over the bound.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    let queue = this.queues.get(ttlMs);
    if (!queue) {
      queue = { keys: [], at: [], head: 0 };
      this.queues.set(ttlMs, queue);
    }
    queue.keys.push(key);
    queue.at.push(expiresAt);
    this.queued++;
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    if (this.queued > 2 * this.entries.size + 1024) this.compact();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Pops the expired heads of every lifetime's queue: each queued record is popped once. */
  private expire(now: number): void {
    for (const [ttl, queue] of this.queues) {
      while (queue.head < queue.keys.length && queue.at[queue.head]! <= now) {
        const key = queue.keys[queue.head]!;
        const entry = this.entries.get(key);
        if (entry && entry.expiresAt === queue.at[queue.head]) this.entries.delete(key);
        queue.head++;
        this.queued--;
      }
      if (queue.head === queue.keys.length) {
        this.queues.delete(ttl);
      } else if (queue.head > 1024 && queue.head * 2 > queue.keys.length) {
        queue.keys = queue.keys.slice(queue.head);
        queue.at = queue.at.slice(queue.head);
        queue.head = 0;
      }
    }
  }

  /** Drops queue records of overwritten or deleted entries (amortised over the writes that made them). */
  private compact(): void {
    this.queued = 0;
    for (const [ttl, queue] of this.queues) {
      const keys: string[] = [];
      const at: number[] = [];
      for (let i = queue.head; i < queue.keys.length; i++) {
        const key = queue.keys[i]!;
        if (this.entries.get(key)?.expiresAt === queue.at[i]) {
          keys.push(key);
          at.push(queue.at[i]!);
        }
      }
      if (keys.length === 0) this.queues.delete(ttl);
      else this.queues.set(ttl, { keys, at, head: 0 });
      this.queued += keys.length;
    }
  }
}

/**
 * Conversations in this process's memory: for tests and throw-away runs (the embedded default
 * keeps them in the database, see DatabaseConversationStore). Expiry uses the injected clock.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly states: ExpiringMap<string>;
  private readonly seen: ExpiringMap<true>;
  private readonly ttlSeconds: number;
  private readonly dedupeTtlSeconds: number;

  constructor(
    ttlSeconds: number,
    clock: () => Date = () => new Date(),
    options: Omit<MemoryStoreOptions, 'ttlSeconds' | 'clock'> = {},
  ) {
    const now = () => clock().getTime();
    this.ttlSeconds = ttlSeconds;
    this.dedupeTtlSeconds = options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS;
    this.states = new ExpiringMap(options.maxConversations ?? 200_000, now);
    this.seen = new ExpiringMap(options.maxMessageIds ?? 1_000_000, now);
  }

  /** Live conversations (for tests and status). */
  get size(): number {
    return this.states.size;
  }

  read(chat: ChatKey): Promise<ConversationState | undefined> {
    const raw = this.states.get(chatKey(chat));
    // Stored as JSON so callers never share (and mutate) the stored object.
    return Promise.resolve(raw === undefined ? undefined : (JSON.parse(raw) as ConversationState));
  }

  isProcessed(chat: ChatKey, messageId: string): Promise<boolean> {
    return Promise.resolve(this.seen.get(seenKey(chat, messageId)) === true);
  }

  commit(chat: ChatKey, messageId: string, change: StateChange): Promise<void> {
    const key = chatKey(chat);
    if (change.kind === 'write') {
      const ttl = (change.ttlSeconds ?? this.ttlSeconds) * 1000;
      this.states.set(key, JSON.stringify(change.state), ttl);
    } else if (change.kind === 'delete') {
      this.states.delete(key);
    }
    this.seen.set(seenKey(chat, messageId), true, this.dedupeTtlSeconds * 1000);
    return Promise.resolve();
  }

  delete(chat: ChatKey): Promise<void> {
    this.states.delete(chatKey(chat));
    return Promise.resolve();
  }

  /** One process: the engine's per-chat queue already serialises, nothing else to exclude. */
  lock(_chat: ChatKey): Promise<Unlock> {
    return Promise.resolve(() => Promise.resolve());
  }
}

function seenKey(chat: ChatKey, messageId: string): string {
  return `${chatKey(chat)}\n${messageId}`;
}
