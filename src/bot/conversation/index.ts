// The conversation engine's public surface, for channel adapters and the composition root.
export { ConversationEngine, type ConversationEngineOptions } from './engine.js';
export { MemoryConversationStore } from './memory-store.js';
export { DatabaseConversationStore } from './db-store.js';
export { RedisConversationStore, ChatBusyError, type RedisStoreOptions } from './redis-store.js';
export type { ConversationStore, ChatKey, StateChange, Unlock } from './store.js';
export type * from './ports.js';
export { DocumentHasReservationError } from './ports.js';
export type * from './messages.js';
export type { ConversationState, StepName } from './state.js';
export { idempotencyKey } from './actions.js';
export { createTexts, type Texts } from './texts.js';
export { DEFAULT_CATALOGUE, mergeCatalogue, TextsError } from './catalogue.js';
