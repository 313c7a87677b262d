import type { Channel } from './messages.js';
import type { ConversationState } from './state.js';
import { chatKey, type ChatKey, type ConversationStore, type Unlock } from './store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * The embedded default: one process, nothing survives a restart. Expiry is checked on read
 * against the injected clock, so tests can move time.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly states = new Map<string, Entry<string>>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly clock: () => Date = () => new Date(),
    private readonly dedupeTtlSeconds = 24 * 3600,
  ) {}

  read(chat: ChatKey): Promise<ConversationState | undefined> {
    const key = chatKey(chat);
    const entry = this.states.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.states.delete(key);
      return Promise.resolve(undefined);
    }
    // Stored as JSON so callers never share (and mutate) the stored object.
    return Promise.resolve(JSON.parse(entry.value) as ConversationState);
  }

  write(chat: ChatKey, state: ConversationState, ttlSeconds = this.ttlSeconds): Promise<void> {
    sweep(this.states, this.now());
    this.states.set(chatKey(chat), {
      value: JSON.stringify(state),
      expiresAt: this.now() + ttlSeconds * 1000,
    });
    return Promise.resolve();
  }

  delete(chat: ChatKey): Promise<void> {
    this.states.delete(chatKey(chat));
    return Promise.resolve();
  }

  markProcessed(channel: Channel, chatId: string, messageId: string): Promise<boolean> {
    const now = this.now();
    sweep(this.seen, now);
    const key = `${channel}:${chatId}:${messageId}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.seen.set(key, now + this.dedupeTtlSeconds * 1000);
    return Promise.resolve(true);
  }

  /** One process: the engine's per-chat queue already serialises, nothing else to exclude. */
  lock(_chat: ChatKey): Promise<Unlock> {
    return Promise.resolve(() => Promise.resolve());
  }

  private now(): number {
    return this.clock().getTime();
  }
}

/** Drops expired entries once a map grows, so an idle process does not keep them forever. */
function sweep(map: Map<string, Entry<string> | number>, now: number): void {
  if (map.size < 10_000) return;
  for (const [key, value] of map) {
    const expiresAt = typeof value === 'number' ? value : value.expiresAt;
    if (expiresAt <= now) map.delete(key);
  }
}
