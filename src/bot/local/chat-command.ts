// `alcance chat`: the sales flow in the terminal, with the real ports the caller passes in.
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../logger.js';
import { ConversationEngine } from '../conversation/engine.js';
import { MemoryConversationStore } from '../conversation/memory-store.js';
import type { FindMeLinkPort, ReverseGeocoder, SalesPort } from '../conversation/ports.js';
import { runTerminalChat } from './terminal.js';

export interface LocalChatOptions {
  sales: SalesPort;
  findme: FindMeLinkPort;
  geocoder?: ReverseGeocoder;
  logger: Logger;
  idleTimeoutMs?: number;
  input?: Readable;
  output?: Writable;
  clock?: () => Date;
}

/** Runs one terminal conversation until end of input or /sair; returns the exit code. */
export async function runLocalChat(options: LocalChatOptions): Promise<number> {
  const clock = options.clock ?? (() => new Date());
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const engine = new ConversationEngine({
    store: new MemoryConversationStore(Math.ceil(idleTimeoutMs / 1000) * 2, clock),
    sales: options.sales,
    findme: options.findme,
    geocoder: options.geocoder,
    clock,
    idleTimeoutMs,
    logger: options.logger,
  });
  await runTerminalChat(engine, {
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
    chatId: 'terminal',
  });
  return 0;
}
