import { newId } from '../ids.js';
import { Coalesced } from './coalesce.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { SalesEventType } from './events.js';
import { notificationLine } from './notify-texts.js';
import { maskPersonalData } from './pii.js';
import { safeUrl, signBody, type WebhookEndpoints } from './webhooks.js';

/** Runs `fn` only while holding the named lease (the foundation's `withLease`, bound to the db). */
export type LeaseRunner = <T>(
  key: string,
  fn: (signal: AbortSignal) => Promise<T>,
) => Promise<{ ran: true; value: T } | { ran: false; holder: string }>;

/** Sends a text to a Telegram chat (the bot's own channel). */
export interface TelegramNotifier {
  sendText(chatId: string, text: string): Promise<void>;
}

export interface DeliveryOptions {
  db: Db;
  endpoints: WebhookEndpoints;
  lease: LeaseRunner;
  now: () => Date;
  logger: Logger;
  /** Per request. */
  timeoutMs: number;
  /** A delivery still failing this long after its event is given up (status failed). */
  giveUpAfterMs: number;
  telegram?: TelegramNotifier;
  fetch?: typeof fetch;
  /** Deliveries one run sends at most (the next run goes on). */
  maxPerRun?: number;
}

/** Wait before attempt n+1: 10 s, 20 s, 40 s … capped at 10 min, with ±20 % jitter. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Outcome =
  | { ok: true; statusCode?: number }
  /** `receiverDown`: the receiver did not answer or failed as a whole: stop sending to it. */
  | { ok: false; statusCode?: number; error: string; receiverDown: boolean };

/**
 * Sends queued deliveries, in event order per endpoint and subject: a delivery waits while an
 * earlier one of the same subject (reservation) is not delivered yet. A receiver that is down or
 * slow stops the run for that endpoint; each failure is retried with backoff, and everything
 * waiting goes out in order once it answers again. One instance at a time per endpoint (lease).
 */
export class DeliveryWorker {
  private readonly fetch: typeof fetch;
  private readonly kicks = new Coalesced(
    () => this.run().then(() => undefined),
    () => undefined,
  );
  private readonly draining = new Set<string>();
  private readonly dirty = new Set<string>();

  constructor(private readonly o: DeliveryOptions) {
    this.fetch = o.fetch ?? fetch;
  }

  /** Resolves when no kicked run is in progress here. */
  settle(): Promise<void> {
    return this.kicks.settle();
  }

  /** New deliveries were queued: send them now (coalesced with a run in progress here). */
  kick(): Promise<void> {
    return this.kicks
      .run()
      .catch((err: unknown) => this.o.logger.warn({ err }, 'webhook run failed'));
  }

  /** One pass over every endpoint with work; returns how many deliveries succeeded. */
  async run(signal?: AbortSignal): Promise<number> {
    const { db } = this.o;
    const endpoints = await db.webhookEndpoint.findMany({ where: { active: true } });
    let delivered = 0;
    for (const endpoint of endpoints) {
      if (signal?.aborted) break;
      // The lease keeps other instances out; this keeps a second run of this process out (the
      // lease is ours already). The run in progress goes round once more instead.
      if (this.draining.has(endpoint.id)) {
        this.dirty.add(endpoint.id);
        continue;
      }
      this.draining.add(endpoint.id);
      try {
        do {
          this.dirty.delete(endpoint.id);
          const result = await this.o.lease(`webhook:${endpoint.id}`, (leaseSignal) =>
            this.drain(endpoint, anySignal(signal, leaseSignal)),
          );
          if (result.ran) delivered += result.value;
        } while (this.dirty.has(endpoint.id) && !signal?.aborted);
      } finally {
        this.draining.delete(endpoint.id);
      }
    }
    return delivered;
  }

  private async drain(
    endpoint: Awaited<ReturnType<Db['webhookEndpoint']['findFirstOrThrow']>>,
    signal: AbortSignal,
  ): Promise<number> {
    const { db } = this.o;
    const max = this.o.maxPerRun ?? 1000;
    const blocked = new Set<string>();
    let delivered = 0;
    let sent = 0;
    let afterSeq = -1;
    const secret = this.o.endpoints.secretOf(endpoint);
    while (sent < max && !signal.aborted) {
      const batch = await db.webhookDelivery.findMany({
        where: { endpointId: endpoint.id, status: 'pending', eventSeq: { gt: afterSeq } },
        orderBy: { eventSeq: 'asc' },
        take: 100,
      });
      if (batch.length === 0) break;
      const events = await db.salesEvent.findMany({
        where: { seq: { in: batch.map((d) => d.eventSeq) } },
      });
      for (const d of batch) {
        afterSeq = d.eventSeq;
        if (blocked.has(d.subjectKey)) continue;
        const now = this.o.now();
        if (d.nextAttemptAt > now) {
          blocked.add(d.subjectKey);
          continue;
        }
        const event = events.find((e) => e.seq === d.eventSeq);
        if (!event) {
          await db.webhookDelivery.update({
            where: { id: d.id },
            data: { status: 'failed', lastError: 'event no longer stored' },
          });
          continue;
        }
        const started = Date.now();
        const outcome =
          endpoint.kind === 'telegram'
            ? await this.sendTelegram(endpoint.url, event.type as SalesEventType, event.payloadJson)
            : await this.sendWebhook(endpoint, secret, d.id, event, signal);
        sent++;
        const durationMs = Date.now() - started;
        const at = this.o.now();
        await db.webhookAttempt.create({
          data: {
            id: newId(at.getTime()),
            deliveryId: d.id,
            at,
            statusCode: outcome.statusCode ?? null,
            error: outcome.ok ? null : outcome.error,
            durationMs,
          },
        });
        if (outcome.ok) {
          delivered++;
          await db.webhookDelivery.update({
            where: { id: d.id },
            data: {
              status: 'delivered',
              attempts: d.attempts + 1,
              lastAttemptAt: at,
              lastStatusCode: outcome.statusCode ?? null,
              lastError: null,
              deliveredAt: at,
            },
          });
          continue;
        }
        const attempts = d.attempts + 1;
        const givenUp = at.getTime() - d.createdAt.getTime() >= this.o.giveUpAfterMs;
        await db.webhookDelivery.update({
          where: { id: d.id },
          data: {
            status: givenUp ? 'failed' : 'pending',
            attempts,
            lastAttemptAt: at,
            lastStatusCode: outcome.statusCode ?? null,
            lastError: outcome.error,
            nextAttemptAt: new Date(at.getTime() + backoffMs(attempts)),
          },
        });
        this.o.logger.warn(
          {
            endpoint: endpoint.id,
            url: endpoint.kind === 'webhook' ? safeUrl(endpoint.url) : 'telegram',
            delivery: d.id,
            event: event.type,
            attempts,
            statusCode: outcome.statusCode,
            error: outcome.error,
            givenUp,
          },
          'webhook delivery failed',
        );
        if (givenUp) continue;
        blocked.add(d.subjectKey);
        if (outcome.receiverDown) return delivered;
        if (sent >= max) break;
      }
      if (batch.length < 100) break;
    }
    return delivered;
  }

  private async sendWebhook(
    endpoint: { id: string; url: string; includePii: boolean },
    secret: string | undefined,
    deliveryId: string,
    event: { id: string; type: string; createdAt: Date; payloadJson: string },
    signal: AbortSignal,
  ): Promise<Outcome> {
    const data = JSON.parse(event.payloadJson) as Record<string, unknown>;
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt.toISOString(),
      data: endpoint.includePii ? data : maskPersonalData(data),
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Alcance-Webhooks/1',
      'x-alcance-event': event.type,
      'x-alcance-delivery': deliveryId,
    };
    if (secret) headers['x-alcance-signature'] = signBody(secret, body);
    try {
      const res = await this.fetch(endpoint.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: anySignal(signal, AbortSignal.timeout(this.o.timeoutMs)),
      });
      // The answer's body is not needed; do not let it hold the connection.
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
      const receiverDown = res.status >= 500 || res.status === 429 || res.status === 408;
      return {
        ok: false,
        statusCode: res.status,
        error: `receiver answered HTTP ${res.status}`,
        receiverDown,
      };
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      return {
        ok: false,
        error: timeout
          ? `no answer within ${this.o.timeoutMs} ms`
          : `could not connect: ${describe(err)}`,
        receiverDown: true,
      };
    }
  }

  private async sendTelegram(
    chatId: string,
    type: SalesEventType,
    payloadJson: string,
  ): Promise<Outcome> {
    if (!this.o.telegram) {
      return {
        ok: false,
        error: 'Telegram is not configured (TELEGRAM_BOT_TOKEN)',
        receiverDown: true,
      };
    }
    try {
      const line = notificationLine(type, JSON.parse(payloadJson) as Record<string, unknown>);
      await this.o.telegram.sendText(chatId, line);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: `Telegram: ${describe(err)}`, receiverDown: true };
    }
  }
}

function describe(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)).slice(0, 200);
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
