import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { OutboundMessage } from '../conversation/messages.js';

interface Relayed {
  chatId: string;
  messages: OutboundMessage[];
  at: number;
}

/**
 * Messages for WhatsApp that arise on an instance without the number's socket (a FindME
 * confirmation reaching a standby instance) go through a Redis list to the instance that holds
 * it, which sends them as soon as it is connected; a new owner after a failover picks up what is
 * waiting. At most once: an item is removed when the owner takes it. Items older than `maxAgeMs`
 * are dropped rather than sent late.
 */
export class WhatsAppRelay {
  private readonly key: string;
  private draining?: { stop: boolean; reader: Redis };

  constructor(
    private readonly redis: Redis,
    session: string,
    private readonly logger: Logger,
    private readonly maxAgeMs = 10 * 60_000,
  ) {
    this.key = `alcance:whatsapp:relay:${session}`;
  }

  async push(chatId: string, messages: OutboundMessage[]): Promise<void> {
    const item: Relayed = { chatId, messages, at: Date.now() };
    await this.redis.rpush(this.key, JSON.stringify(item));
  }

  /** On the owner: hands each waiting and future item to `send` until `stopDraining`. */
  startDraining(send: (chatId: string, messages: OutboundMessage[]) => Promise<void>): void {
    if (this.draining) return;
    // A blocking pop needs a connection of its own.
    const state = { stop: false, reader: this.redis.duplicate({ maxRetriesPerRequest: null }) };
    state.reader.on('error', () => undefined);
    this.draining = state;
    void (async () => {
      while (!state.stop) {
        let popped: [string, string] | null = null;
        try {
          popped = await state.reader.blpop(this.key, 1);
        } catch {
          if (state.stop) break;
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
        if (!popped) continue;
        const item = JSON.parse(popped[1]) as Relayed;
        if (Date.now() - item.at > this.maxAgeMs) {
          this.logger.warn(
            { ageMs: Date.now() - item.at },
            'dropped a relayed WhatsApp message: too old',
          );
          continue;
        }
        await send(item.chatId, item.messages).catch((error: unknown) => {
          this.logger.error(
            { error: error instanceof Error ? error.message : String(error) },
            'could not send a relayed WhatsApp message',
          );
        });
      }
      state.reader.disconnect();
    })();
  }

  stopDraining(): void {
    if (!this.draining) return;
    this.draining.stop = true;
    this.draining = undefined;
  }
}
