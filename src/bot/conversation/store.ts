import type { Channel } from './messages.js';
import type { ConversationState } from './state.js';

export interface ChatKey {
  channel: Channel;
  chatId: string;
}

/** Releases a per-chat lock. */
export type Unlock = () => Promise<void>;

/** Where conversations live between messages. */
export interface ConversationStore {
  read(chat: ChatKey): Promise<ConversationState | undefined>;
  /** Replaces the state; it disappears after `ttlSeconds` (the store's default when omitted). */
  write(chat: ChatKey, state: ConversationState, ttlSeconds?: number): Promise<void>;
  delete(chat: ChatKey): Promise<void>;
  /** True the first time a message id is seen for this chat, false for a duplicate delivery. */
  markProcessed(channel: Channel, chatId: string, messageId: string): Promise<boolean>;
  /**
   * Excludes other processes from this chat until unlocked. Within one process the engine already
   * queues messages per chat; this is for several instances sharing one store.
   */
  lock(chat: ChatKey): Promise<Unlock>;
}

export function chatKey(chat: ChatKey): string {
  return `${chat.channel}:${chat.chatId}`;
}
