import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { PortChanges } from './reservations.js';

const CHANNEL = 'alcance:network-changes';

interface ChangeMessage {
  from: string;
  boxes?: string[];
  regions?: boolean;
  poles?: string[] | 'all';
  condos?: boolean;
}

/**
 * Keeps every instance's viability index fresh: changes are applied locally, then published on
 * Redis; the other instances reload the boxes (or regions) named in the message.
 */
export class NetworkBroadcast implements PortChanges {
  private readonly instanceId = randomUUID();

  private constructor(
    private readonly local: PortChanges,
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes whenever the connection is (again) ready, so an instance started while Redis is
   * down, or cut off for a while, listens as soon as Redis is back (what it missed meanwhile comes
   * from the change log, see network-sync.ts). Waits for the first subscription only while Redis
   * answers; a Redis that is down does not hold up the start.
   */
  static async start(local: PortChanges, redis: Redis, logger: Logger): Promise<NetworkBroadcast> {
    const subscriber = redis.duplicate({ maxRetriesPerRequest: null });
    const broadcast = new NetworkBroadcast(local, redis, subscriber, logger);
    subscriber.on('message', (_channel: string, text: string) => broadcast.receive(text));
    subscriber.on('error', () => undefined); // the main client logs Redis errors
    let first: Promise<unknown> | undefined;
    const subscribe = () =>
      (first = subscriber.subscribe(CHANNEL).catch((err: unknown) => {
        logger.warn({ err }, 'could not subscribe to network changes');
      }));
    subscriber.on('ready', () => void subscribe());
    if (subscriber.status === 'ready') void subscribe();
    const connected = await Promise.race([
      new Promise<boolean>((resolve) => subscriber.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    if (connected) await first;
    else
      logger.error(
        'redis is unreachable: starting without network broadcasts (GET /ready reports it)',
      );
    return broadcast;
  }

  async boxesChanged(boxIds: Iterable<string>): Promise<void> {
    const boxes = [...new Set(boxIds)];
    await this.local.boxesChanged(boxes);
    await this.publish({ from: this.instanceId, boxes });
  }

  async portsTaken(boxId: string, count: number): Promise<void> {
    await this.local.portsTaken(boxId, count);
    await this.publish({ from: this.instanceId, boxes: [boxId] });
  }

  async regionsChanged(): Promise<void> {
    await this.local.regionsChanged();
    await this.publish({ from: this.instanceId, regions: true });
  }

  async polesChanged(poleIds: Iterable<string> | 'all'): Promise<void> {
    const poles = poleIds === 'all' ? 'all' : [...new Set(poleIds)];
    await this.local.polesChanged(poles);
    await this.publish({ from: this.instanceId, poles });
  }

  async condosChanged(): Promise<void> {
    await this.local.condosChanged();
    await this.publish({ from: this.instanceId, condos: true });
  }

  stop(): void {
    this.subscriber.disconnect();
  }

  private async publish(message: ChangeMessage): Promise<void> {
    // The local index is already right; a lost broadcast only delays the other instances.
    await this.publisher.publish(CHANNEL, JSON.stringify(message)).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not broadcast a network change');
    });
  }

  private receive(text: string): void {
    let message: ChangeMessage;
    try {
      message = JSON.parse(text) as ChangeMessage;
    } catch {
      return;
    }
    if (message.from === this.instanceId) return;
    const work: Promise<void>[] = [];
    if (message.boxes?.length) work.push(this.local.boxesChanged(message.boxes));
    if (message.regions) work.push(this.local.regionsChanged());
    if (message.poles === 'all' || message.poles?.length) {
      work.push(this.local.polesChanged(message.poles));
    }
    if (message.condos) work.push(this.local.condosChanged());
    Promise.all(work).catch((err: unknown) =>
      this.logger.error({ err }, 'could not apply a broadcast network change'),
    );
  }
}
