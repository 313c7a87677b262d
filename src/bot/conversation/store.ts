import type { Channel } from './messages.js';
import type { ConversationState } from './state.js';

export interface ChatKey {
  channel: Channel;
  chatId: string;
}

/** Releases a per-chat lock. */
export type Unlock = () => Promise<void>;

/** What one processed message did to the chat's state. */
export type StateChange =
  /** Replace the state; it disappears after `ttlSeconds` (the store's default when omitted). */
  | { kind: 'write'; state: ConversationState; ttlSeconds?: number }
  | { kind: 'delete' }
  /** Unchanged: the stored state keeps its expiry. */
  | { kind: 'keep' };

/** Where conversations live between messages. */
export interface ConversationStore {
  read(chat: ChatKey): Promise<ConversationState | undefined>;
  /** True when this message id was already committed for this chat (a duplicate delivery). */
  isProcessed(chat: ChatKey, messageId: string): Promise<boolean>;
  /**
   * Applies the state change and marks the message processed, atomically: after a crash either
   * both happened or neither did, so a redelivery is processed exactly when it must be.
   */
  commit(chat: ChatKey, messageId: string, change: StateChange): Promise<void>;
  delete(chat: ChatKey): Promise<void>;
  /**
   * Excludes other processes from this chat until unlocked. Within one process the engine already
   * queues messages per chat; this is for several instances sharing one store.
   */
  lock(chat: ChatKey): Promise<Unlock>;
}

export function chatKey(chat: ChatKey): string {
  return `${chat.channel}:${chat.chatId}`;
}

/** How long a message id is remembered for duplicate detection (platforms redeliver for hours). */
export const DEDUPE_TTL_SECONDS = 24 * 3600;
