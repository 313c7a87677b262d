import { createHmac } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../ozmap-model/db/client.js';
import { audit, type Actor } from './audit.js';
import { isSalesEventType, SALES_EVENT_TYPES, type SalesEventType } from './events.js';

/** The secret box of the foundation (src/security/secret-box.ts), as far as webhooks use it. */
export interface SecretSealer {
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

export type EndpointKind = 'webhook' | 'telegram';

export interface WebhookEndpointRecord {
  id: string;
  kind: EndpointKind;
  /** The receiver's URL, or the Telegram chat id for kind telegram. */
  url: string;
  events: SalesEventType[];
  description: string | null;
  includePii: boolean;
  active: boolean;
  createdAt: string;
  pending: number;
  failed: number;
  lastDeliveredAt: string | null;
}

export interface EndpointInput {
  kind?: unknown;
  url?: unknown;
  events?: unknown;
  secret?: unknown;
  description?: unknown;
  includePii?: unknown;
  active?: unknown;
}

export const secretContext = (endpointId: string) => `webhook:${endpointId}:secret`;

/** `sha256=<hex>` of the raw body with the endpoint's secret: the X-Alcance-Signature header. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function parseEvents(value: unknown): SalesEventType[] {
  const list =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value)
        ? value.map((v) => String(v))
        : undefined;
  if (!list) throw new ValidationError('events: give a list of event names', 'events');
  const names = [...new Set(list.map((e) => e.trim()).filter(Boolean))];
  if (names.length === 1 && names[0] === '*') return [...SALES_EVENT_TYPES];
  if (names.length === 0) throw new ValidationError('events: give at least one event', 'events');
  const unknown = names.filter((n) => !isSalesEventType(n));
  if (unknown.length) {
    throw new ValidationError(
      `events: unknown ${unknown.join(', ')}; known: ${SALES_EVENT_TYPES.join(', ')}`,
      'events',
    );
  }
  return names as SalesEventType[];
}

function parseKind(value: unknown): EndpointKind {
  if (value === undefined || value === 'webhook') return 'webhook';
  if (value === 'telegram') return 'telegram';
  throw new ValidationError('kind must be webhook or telegram', 'kind');
}

function parseTarget(kind: EndpointKind, value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (kind === 'telegram') {
    if (!/^(-?\d{1,20}|@[A-Za-z][\w]{4,31})$/.test(text)) {
      throw new ValidationError(
        'url: for kind telegram give the chat id (-1001234567890) or @channel name',
        'url',
      );
    }
    return text;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('url: must be an absolute http(s) URL', 'url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError('url: must be an http(s) URL', 'url');
  if (url.username || url.password)
    throw new ValidationError('url: must not carry a user or password; use the secret', 'url');
  return url.toString();
}

function parseSecret(value: unknown): string {
  if (typeof value !== 'string' || value.length < 16 || value.length > 256) {
    throw new ValidationError('secret: must be 16-256 characters', 'secret');
  }
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ValidationError(`${field}: must be true or false`, field);
}

type EndpointRow = Awaited<ReturnType<Db['webhookEndpoint']['findFirstOrThrow']>>;

/** Webhook and Telegram notification endpoints: secrets sealed at rest, every change audited. */
export class WebhookEndpoints {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretSealer,
    private readonly now: () => Date,
  ) {}

  async create(input: EndpointInput, actor: Actor): Promise<WebhookEndpointRecord> {
    const kind = parseKind(input.kind);
    const url = parseTarget(kind, input.url);
    const events = parseEvents(input.events);
    const secret = kind === 'webhook' ? parseSecret(input.secret) : undefined;
    const description = typeof input.description === 'string' ? input.description.trim() : null;
    const includePii = optionalBoolean(input.includePii, 'includePii') ?? false;
    const at = this.now();
    const id = newId(at.getTime());
    const row = await this.db.$transaction(async (tx) => {
      const created = await tx.webhookEndpoint.create({
        data: {
          id,
          kind,
          url,
          eventsJson: JSON.stringify(events),
          secretSealed: secret ? this.secrets.seal(secret, secretContext(id)) : null,
          description: description || null,
          includePii,
        },
      });
      await audit(
        tx,
        actor,
        {
          action: 'webhook.create',
          subjectType: 'webhook',
          subjectId: id,
          detail: { kind, url: safeUrl(url), events, includePii },
        },
        at,
      );
      return created;
    });
    return (await this.describe([row]))[0]!;
  }

  async update(id: string, input: EndpointInput, actor: Actor): Promise<WebhookEndpointRecord> {
    const current = await this.get(id);
    const kind = current.kind as EndpointKind;
    const data: Record<string, unknown> = {};
    if (input.url !== undefined) data.url = parseTarget(kind, input.url);
    if (input.events !== undefined) data.eventsJson = JSON.stringify(parseEvents(input.events));
    if (input.secret !== undefined && kind === 'webhook')
      data.secretSealed = this.secrets.seal(parseSecret(input.secret), secretContext(id));
    const active = optionalBoolean(input.active, 'active');
    if (active !== undefined) data.active = active;
    const includePii = optionalBoolean(input.includePii, 'includePii');
    if (includePii !== undefined) data.includePii = includePii;
    if (typeof input.description === 'string') data.description = input.description.trim() || null;
    const at = this.now();
    const row = await this.db.$transaction(async (tx) => {
      const updated = await tx.webhookEndpoint.update({ where: { id }, data });
      await audit(
        tx,
        actor,
        {
          action: 'webhook.update',
          subjectType: 'webhook',
          subjectId: id,
          detail: { changed: Object.keys(data).map((k) => (k === 'secretSealed' ? 'secret' : k)) },
        },
        at,
      );
      return updated;
    });
    return (await this.describe([row]))[0]!;
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const current = await this.get(id);
    const at = this.now();
    await this.db.$transaction(async (tx) => {
      const deliveries = await tx.webhookDelivery.findMany({
        where: { endpointId: id },
        select: { id: true },
      });
      await tx.webhookAttempt.deleteMany({
        where: { deliveryId: { in: deliveries.map((d) => d.id) } },
      });
      await tx.webhookDelivery.deleteMany({ where: { endpointId: id } });
      await tx.webhookEndpoint.delete({ where: { id } });
      await audit(
        tx,
        actor,
        {
          action: 'webhook.delete',
          subjectType: 'webhook',
          subjectId: id,
          detail: { kind: current.kind, url: safeUrl(current.url) },
        },
        at,
      );
    });
  }

  async list(): Promise<WebhookEndpointRecord[]> {
    return this.describe(await this.db.webhookEndpoint.findMany({ orderBy: { createdAt: 'asc' } }));
  }

  async get(id: string): Promise<EndpointRow> {
    const row = await this.db.webhookEndpoint.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('webhook', id);
    return row;
  }

  /** The endpoint's secret in clear, for signing. */
  secretOf(row: EndpointRow): string | undefined {
    return row.secretSealed
      ? this.secrets.open(row.secretSealed, secretContext(row.id))
      : undefined;
  }

  /** The delivery log of one endpoint, newest first, with each attempt. */
  async deliveries(id: string, limit = 50) {
    await this.get(id);
    const rows = await this.db.webhookDelivery.findMany({
      where: { endpointId: id },
      orderBy: { eventSeq: 'desc' },
      take: Math.min(Math.max(limit, 1), 500),
    });
    const attempts = await this.db.webhookAttempt.findMany({
      where: { deliveryId: { in: rows.map((r) => r.id) } },
      orderBy: { at: 'asc' },
    });
    return rows.map((d) => ({
      id: d.id,
      eventType: d.eventType,
      eventSeq: d.eventSeq,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
      log: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({
          at: a.at.toISOString(),
          statusCode: a.statusCode,
          error: a.error,
          durationMs: a.durationMs,
        })),
    }));
  }

  /** Sends a failed (given up) delivery again, from now on. */
  async retry(deliveryId: string, actor: Actor): Promise<void> {
    const at = this.now();
    const { count } = await this.db.webhookDelivery.updateMany({
      where: { id: deliveryId, status: 'failed' },
      data: { status: 'pending', nextAttemptAt: at, createdAt: at },
    });
    if (count === 0) throw new NotFoundError('failed delivery', deliveryId);
    await audit(
      this.db,
      actor,
      { action: 'webhook.retry', subjectType: 'delivery', subjectId: deliveryId },
      at,
    );
  }

  private async describe(rows: EndpointRow[]): Promise<WebhookEndpointRecord[]> {
    const ids = rows.map((r) => r.id);
    const counts = await this.db.webhookDelivery.groupBy({
      by: ['endpointId', 'status'],
      where: { endpointId: { in: ids }, status: { in: ['pending', 'failed'] } },
      _count: { _all: true },
    });
    const last = await this.db.webhookDelivery.groupBy({
      by: ['endpointId'],
      where: { endpointId: { in: ids }, status: 'delivered' },
      _max: { deliveredAt: true },
    });
    const count = (id: string, status: string) =>
      counts.find((c) => c.endpointId === id && c.status === status)?._count._all ?? 0;
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as EndpointKind,
      url: r.url,
      events: JSON.parse(r.eventsJson) as SalesEventType[],
      description: r.description,
      includePii: r.includePii,
      active: r.active,
      createdAt: r.createdAt.toISOString(),
      pending: count(r.id, 'pending'),
      failed: count(r.id, 'failed'),
      lastDeliveredAt:
        last.find((l) => l.endpointId === r.id)?._max.deliveredAt?.toISOString() ?? null,
    }));
  }
}

/** A URL for logs and the audit trail: no query string (it may carry a token). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}
