import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for the WhatsApp Business Cloud API (graph.facebook.com) on 127.0.0.1, following
// the rules the real one enforces, and the customer's side: it posts signed webhooks at the service.
//
// Graph API side: POST /<version>/<phone-number-id>/messages (text, interactive button / list /
// cta_url / location_request_message, location, template, and "mark as read"), validated like
// Meta does (required fields, length limits, template name/language/parameter count/characters)
// with Meta's error envelope and codes; the 24-hour customer-service window (a free-form message
// outside it is accepted, then fails with 131047 in a status webhook, as the Cloud API does); a
// pair rate limit (131056); GET /<version>/<waba-id>/message_templates; GET /<version>/<media-id>
// and the media download URL (which, like Meta's, needs the access token and expires).
//
// Customer side: `customer(waId)` sends texts, locations, button and list taps, media... as signed
// webhooks in Meta's format (unicode and slashes escaped, as Meta serialises them).

export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product: 'whatsapp'; details: string };
  fbtrace_id: string;
}

/** One request the simulated Graph API received. */
export interface FakeCloudCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
  /** Date.now() when it arrived. */
  at: number;
  status: number;
  error?: GraphErrorBody;
}

/** A message the simulated API accepted. */
export interface SentMessage {
  id: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeTemplate {
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: Array<Record<string, unknown>>;
}

/** What the next call of a kind does instead of its normal answer. */
export type Injected =
  | {
      status: number;
      error: Partial<GraphErrorBody> & { code: number };
      retryAfterSeconds?: number;
    }
  /** Never answers (the client times out). */
  | { hang: true };

export interface FakeCloudOptions {
  accessToken?: string;
  phoneNumberId?: string;
  businessAccountId?: string;
  appSecret?: string;
  version?: string;
  /** At most `max` messages to one customer per `windowMs` (Meta: about 1 per 6 s, with bursts). */
  pairRate?: { max: number; windowMs: number };
  /** Post sent/delivered statuses for every accepted message. */
  statusWebhooks?: boolean;
  now?: () => number;
}

const DAY_MS = 24 * 3600_000;
const MEDIA_URL_TTL_MS = 5 * 60_000;

/** Templates matching Alcance's defaults, approved, in pt_BR. */
export const DEFAULT_TEMPLATES: FakeTemplate[] = [
  {
    name: 'alcance_reserva_expirando',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'BODY',
        text: 'Olá, {{1}}! A reserva da sua instalação de internet vale até {{2}}. Para agendar, responda "atendente" e nossa equipe fala com você.',
      },
    ],
  },
  {
    name: 'alcance_resposta_atendimento',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'BODY',
        text: 'Olá, {{1}}! Nossa equipe respondeu ao seu atendimento: {{2}} Para continuar a conversa, responda esta mensagem.',
      },
    ],
  },
  {
    name: 'alcance_fibra_disponivel',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'BODY',
        text: 'Olá, {{1}}! Boa notícia: a fibra chegou ao seu endereço. Quer reservar sua instalação? Responda "oi" e continuamos por aqui.',
      },
    ],
  },
];

export class FakeWhatsAppCloud {
  readonly calls: FakeCloudCall[] = [];
  readonly sent: SentMessage[] = [];
  readonly templates: FakeTemplate[] = DEFAULT_TEMPLATES.map((t) => structuredClone(t));
  /** Where customer webhooks go (the service's POST /webhooks/whatsapp-cloud). */
  webhookUrl?: string;
  /** Webhook deliveries made, with the service's answer. */
  readonly deliveries: Array<{ payload: unknown; status: number }> = [];
  readonly accessToken: string;
  readonly phoneNumberId: string;
  readonly businessAccountId: string;
  readonly appSecret: string;
  readonly displayPhoneNumber = '554430300000';
  readonly version: string;
  private tokenExpired = false;
  private readonly injected = new Map<string, Array<{ what: Injected; after: number }>>();
  private readonly lastInbound = new Map<string, number>();
  private readonly recentTo = new Map<string, number[]>();
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string }>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Set<Promise<unknown>>();
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly options: FakeCloudOptions,
  ) {
    this.accessToken = options.accessToken ?? `EAAtest${randomBytes(12).toString('hex')}`;
    this.phoneNumberId = options.phoneNumberId ?? '106540352242922';
    this.businessAccountId = options.businessAccountId ?? '102290129340398';
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.version = options.version ?? 'v23.0';
  }

  static async start(options: FakeCloudOptions = {}): Promise<FakeWhatsAppCloud> {
    const ref: { fake?: FakeWhatsAppCloud } = {};
    const server = createServer((req, res) => void ref.fake?.route(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    ref.fake = new FakeWhatsAppCloud(server, `http://127.0.0.1:${port}`, options);
    return ref.fake;
  }

  /** WHATSAPP_CLOUD_API_ROOT for the service. */
  get apiRoot(): string {
    return `${this.origin}/${this.version}`;
  }

  /** The WHATSAPP_CLOUD_* variables that point the service at this simulator. */
  env(verifyToken = 'verify-token-123'): Record<string, string> {
    return {
      WHATSAPP_CLOUD_ACCESS_TOKEN: this.accessToken,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: this.phoneNumberId,
      WHATSAPP_CLOUD_APP_SECRET: this.appSecret,
      WHATSAPP_CLOUD_VERIFY_TOKEN: verifyToken,
      WHATSAPP_CLOUD_API_ROOT: this.apiRoot,
      WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID: this.businessAccountId,
    };
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * A coming call of `kind` ('messages', 'read', 'templates', 'media') does this instead: the next one, or
   * the one after `after` more calls go through. Injections queue up in order.
   */
  failNext(kind: string, what: Injected, options: { after?: number } = {}): void {
    const queue = this.injected.get(kind) ?? [];
    queue.push({ what, after: options.after ?? 0 });
    this.injected.set(kind, queue);
  }

  /** From now on every call is refused as with an expired token (code 190, subcode 463). */
  expireToken(): void {
    this.tokenExpired = true;
  }

  /** The id of the last media added (a customer's photo or voice note). */
  lastMediaId?: string;

  /** Stores a customer's media and returns its id (what a webhook would carry). */
  addMedia(bytes: Buffer, mimeType: string): string {
    const id = String(900000000 + this.nextId++);
    this.media.set(id, { bytes, mimeType });
    this.lastMediaId = id;
    return id;
  }

  /** Marks that `waId` wrote at `at` (opens the 24-hour window) without posting a webhook. */
  customerWrote(waId: string, at = this.now()): void {
    this.lastInbound.set(waId, at);
  }

  messagesTo(waId: string): SentMessage[] {
    return this.sent.filter((m) => m.to === waId);
  }

  /** Resolves once `predicate` holds for the accepted messages (or rejects after `timeoutMs`). */
  async waitFor(
    predicate: (sent: SentMessage[]) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.sent)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; sent: ${JSON.stringify(this.sent.map(summary))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
    return this.sent;
  }

  /** Waits until webhooks posted in the background (statuses) have been answered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** A customer writing from `waId`, with a WhatsApp profile name. */
  customer(waId: string, profileName = 'Cliente Teste'): FakeCustomer {
    return new FakeCustomer(this, waId, profileName);
  }

  /** Wraps messages or statuses of our number in Meta's webhook envelope. */
  envelope(value: Record<string, unknown>, phoneNumberId = this.phoneNumberId): unknown {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: this.businessAccountId,
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: this.displayPhoneNumber,
                  phone_number_id: phoneNumberId,
                },
                ...value,
              },
              field: 'messages',
            },
          ],
        },
      ],
    };
  }

  /**
   * Posts a webhook at the service the way Meta does: the body serialised with unicode and "/"
   * escaped, signed with the app secret in X-Hub-Signature-256 (or not, or wrongly).
   */
  async post(
    payload: unknown,
    signing: 'valid' | 'none' | 'wrong' | 'other-secret' = 'valid',
  ): Promise<{ status: number; body: string }> {
    if (!this.webhookUrl) throw new Error('set webhookUrl first');
    const raw = metaJson(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signing === 'valid') headers['x-hub-signature-256'] = sign(this.appSecret, raw);
    if (signing === 'other-secret') headers['x-hub-signature-256'] = sign('not-the-secret', raw);
    if (signing === 'wrong') headers['x-hub-signature-256'] = `sha256=${'0'.repeat(64)}`;
    const res = await fetch(this.webhookUrl, { method: 'POST', headers, body: raw });
    const body = await res.text();
    this.deliveries.push({ payload, status: res.status });
    return { status: res.status, body };
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await this.settled();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  // ---- Graph API ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const url = new URL(req.url ?? '/', this.origin);
    const call: FakeCloudCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      body: undefined,
      authorization: req.headers.authorization,
      at: Date.now(),
      status: 200,
    };
    this.calls.push(call);
    try {
      if (url.pathname.startsWith('/media-files/')) return this.download(url, req, res, call);
      const match = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([\w]+))?$/.exec(url.pathname);
      if (!match) {
        return this.fail(res, call, 400, {
          message: 'Unknown path components',
          type: 'OAuthException',
          code: 2500,
          fbtrace_id: trace(),
        });
      }
      const [, , objectId = '', edge] = match;
      const auth = this.checkToken(req.headers.authorization);
      if (auth) return this.fail(res, call, 401, auth);
      if (req.method === 'POST' && edge === 'messages') {
        let body: Record<string, unknown>;
        try {
          body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          return this.fail(
            res,
            call,
            400,
            invalid(100, 'Invalid parameter', 'request body is not JSON'),
          );
        }
        call.body = body;
        if (objectId !== this.phoneNumberId)
          return this.fail(res, call, 400, unknownObject(objectId));
        // Read receipts are injected apart, so failNext('messages') hits a real message.
        if (this.inject(body.status === 'read' ? 'read' : 'messages', res, call)) return;
        return this.messages(body, res, call);
      }
      if (req.method === 'GET' && edge === 'message_templates') {
        if (objectId !== this.businessAccountId)
          return this.fail(res, call, 400, unknownObject(objectId));
        if (this.inject('templates', res, call)) return;
        const name = url.searchParams.get('name');
        const data = this.templates.filter((t) => !name || t.name.includes(name));
        return send(res, 200, { data, paging: { cursors: { before: 'QVFI', after: 'QVFI' } } });
      }
      if (req.method === 'GET' && edge === undefined) {
        const media = this.media.get(objectId);
        if (!media) return this.fail(res, call, 400, unknownObject(objectId));
        if (this.inject('media', res, call)) return;
        const expires = this.now() + MEDIA_URL_TTL_MS;
        return send(res, 200, {
          messaging_product: 'whatsapp',
          url: `${this.origin}/media-files/${objectId}?ext=${expires}`,
          mime_type: media.mimeType,
          sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          file_size: media.bytes.length,
          id: objectId,
        });
      }
      return this.fail(res, call, 400, unknownObject(objectId));
    } finally {
      for (const wake of [...this.waiters]) wake();
    }
  }

  private checkToken(header: string | undefined): GraphErrorBody | undefined {
    if (header !== `Bearer ${this.accessToken}`) {
      return {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
        fbtrace_id: trace(),
      };
    }
    if (this.tokenExpired) {
      return {
        message:
          'Error validating access token: Session has expired on Sunday, 01-Mar-26 10:00:00 PST.',
        type: 'OAuthException',
        code: 190,
        error_subcode: 463,
        fbtrace_id: trace(),
      };
    }
    return undefined;
  }

  private inject(kind: string, res: ServerResponse, call: FakeCloudCall): boolean {
    const queue = this.injected.get(kind);
    const head = queue?.[0];
    if (!head) return false;
    if (head.after > 0) {
      head.after--;
      return false;
    }
    queue.shift();
    const next = head.what;
    if ('hang' in next) {
      call.status = 0;
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      return true;
    }
    const error: GraphErrorBody = {
      message: next.error.message ?? `(#${next.error.code}) injected failure`,
      type: next.error.type ?? 'OAuthException',
      fbtrace_id: trace(),
      ...next.error,
    };
    const headers: Record<string, string> = next.retryAfterSeconds
      ? { 'retry-after': String(next.retryAfterSeconds) }
      : {};
    this.fail(res, call, next.status, error, headers);
    return true;
  }

  private messages(body: Record<string, unknown>, res: ServerResponse, call: FakeCloudCall): void {
    if (body.messaging_product !== 'whatsapp') {
      return this.fail(
        res,
        call,
        400,
        invalid(100, '(#100) The parameter messaging_product is required.'),
      );
    }
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') {
        return this.fail(
          res,
          call,
          400,
          invalid(100, '(#100) The parameter message_id is required.'),
        );
      }
      return send(res, 200, { success: true });
    }
    const to =
      typeof body.to === 'string'
        ? body.to
        : typeof body.recipient === 'string'
          ? body.recipient
          : '';
    if (!to) return this.fail(res, call, 400, invalid(100, '(#100) The parameter to is required.'));
    const type = typeof body.type === 'string' ? body.type : 'text';
    const problem = validateMessage(type, body, this.templates);
    if (problem) return this.fail(res, call, 400, problem);
    if (this.pairRateHit(to)) {
      return this.fail(
        res,
        call,
        400,
        invalid(
          131056,
          '(#131056) (Business Account, Consumer Account) pair rate limit hit',
          'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
        ),
      );
    }
    const id = `wamid.${Buffer.from(`${to}:${this.nextId++}:${randomBytes(6).toString('hex')}`).toString('base64')}`;
    const waId = to.replace(/^\+/, '');
    const message: SentMessage = { id, to: waId, type, body, at: Date.now() };
    const inWindow = (this.lastInbound.get(waId) ?? -Infinity) > this.now() - DAY_MS;
    if (type === 'template' || inWindow) {
      this.sent.push(message);
      if (this.options.statusWebhooks)
        this.background(this.postStatuses(message, ['sent', 'delivered']));
    } else {
      // Cloud API accepts it and reports the failure asynchronously.
      this.background(this.postFailure(message, reengagement()));
    }
    send(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: waId }],
      messages: [{ id, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  private pairRateHit(to: string): boolean {
    const limit = this.options.pairRate ?? { max: 45, windowMs: 6_000 };
    const now = this.now();
    const recent = (this.recentTo.get(to) ?? []).filter((t) => t > now - limit.windowMs);
    if (recent.length >= limit.max) {
      this.recentTo.set(to, recent);
      return true;
    }
    recent.push(now);
    this.recentTo.set(to, recent);
    return false;
  }

  private download(url: URL, req: IncomingMessage, res: ServerResponse, call: FakeCloudCall): void {
    const id = url.pathname.slice('/media-files/'.length);
    const media = this.media.get(id);
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      call.status = 401;
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
      return;
    }
    if (!media || Number(url.searchParams.get('ext')) < this.now()) {
      call.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('URL signature expired');
      return;
    }
    res.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes.length });
    res.end(media.bytes);
  }

  private fail(
    res: ServerResponse,
    call: FakeCloudCall,
    status: number,
    error: GraphErrorBody,
    headers: Record<string, string> = {},
  ): void {
    call.status = status;
    call.error = error;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error }));
  }

  // ---- webhooks back to the service ----

  private background(task: Promise<unknown>): void {
    const tracked = task.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async postStatuses(message: SentMessage, statuses: string[]): Promise<void> {
    for (const status of statuses) {
      await this.post(
        this.envelope({
          statuses: [
            {
              id: message.id,
              status,
              timestamp: String(Math.floor(this.now() / 1000)),
              recipient_id: message.to,
              pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
            },
          ],
        }),
      );
    }
  }

  private async postFailure(message: SentMessage, error: Record<string, unknown>): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    await this.post(
      this.envelope({
        statuses: [
          {
            id: message.id,
            status: 'failed',
            timestamp: String(Math.floor(this.now() / 1000)),
            recipient_id: message.to,
            errors: [error],
          },
        ],
      }),
    );
  }

  /** Used by FakeCustomer. */
  nextMessageId(): string {
    return `wamid.HBgN${randomBytes(18).toString('base64url')}`;
  }
}

/** A WhatsApp user writing to the business number. Each method posts one signed webhook. */
export class FakeCustomer {
  constructor(
    private readonly cloud: FakeWhatsAppCloud,
    readonly waId: string,
    readonly profileName: string,
  ) {}

  /** Posts a message of this customer; resolves with its wamid and the service's answer. */
  async send(
    fields: Record<string, unknown>,
    options: { id?: string; at?: number; signing?: 'valid' | 'none' | 'wrong' } = {},
  ): Promise<{ id: string; status: number }> {
    const id = options.id ?? this.cloud.nextMessageId();
    const at = options.at ?? Date.now();
    const payload = this.cloud.envelope({
      contacts: [{ profile: { name: this.profileName }, wa_id: this.waId }],
      messages: [{ from: this.waId, id, timestamp: String(Math.floor(at / 1000)), ...fields }],
    });
    const { status } = await this.cloud.post(payload, options.signing);
    if (status === 200) this.cloud.customerWrote(this.waId, at);
    return { id, status };
  }

  text(
    body: string,
    options?: { id?: string; at?: number },
  ): Promise<{ id: string; status: number }> {
    return this.send({ type: 'text', text: { body } }, options);
  }

  location(lat: number, lng: number, extra: Record<string, unknown> = {}) {
    return this.send({ type: 'location', location: { latitude: lat, longitude: lng, ...extra } });
  }

  /** Taps a reply button of `message` (a message the service sent). */
  tapButton(message: SentMessage, title: string | RegExp) {
    const buttons = interactive(message).action.buttons ?? [];
    const button = buttons.find((b) => matches(b.reply.title, title));
    if (!button) throw new Error(`no button ${String(title)} in ${JSON.stringify(buttons)}`);
    return this.send({
      type: 'interactive',
      context: { from: this.cloud.displayPhoneNumber, id: message.id },
      interactive: {
        type: 'button_reply',
        button_reply: { id: button.reply.id, title: button.reply.title },
      },
    });
  }

  /** Opens the list of `message` and picks the row titled `title`. */
  pickRow(message: SentMessage, title: string | RegExp) {
    const rows = (interactive(message).action.sections ?? []).flatMap((s) => s.rows);
    const row = rows.find((r) => matches(r.title, title));
    if (!row) throw new Error(`no row ${String(title)} in ${JSON.stringify(rows)}`);
    return this.send({
      type: 'interactive',
      context: { from: this.cloud.displayPhoneNumber, id: message.id },
      interactive: {
        type: 'list_reply',
        list_reply: {
          id: row.id,
          title: row.title,
          ...(row.description ? { description: row.description } : {}),
        },
      },
    });
  }

  image(caption?: string) {
    const id = this.cloud.addMedia(
      Buffer.from('\xff\xd8\xff\xe0 fake jpeg', 'latin1'),
      'image/jpeg',
    );
    return this.send({
      type: 'image',
      image: { mime_type: 'image/jpeg', sha256: 'abc', id, ...(caption ? { caption } : {}) },
    });
  }

  voice() {
    const id = this.cloud.addMedia(Buffer.from('OggS fake opus'), 'audio/ogg');
    return this.send({
      type: 'audio',
      audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', id, voice: true },
    });
  }
}

interface InteractiveBody {
  type: string;
  body?: { text: string };
  action: {
    name?: string;
    buttons?: Array<{ type: string; reply: { id: string; title: string } }>;
    button?: string;
    sections?: Array<{
      title?: string;
      rows: Array<{ id: string; title: string; description?: string }>;
    }>;
    parameters?: { display_text?: string; url?: string };
  };
}

/** The interactive object of a sent message (throws when it is not interactive). */
export function interactive(message: SentMessage): InteractiveBody {
  if (message.type !== 'interactive')
    throw new Error(`message ${message.id} is ${message.type}, not interactive`);
  return message.body.interactive as InteractiveBody;
}

/** What the customer reads in a sent message: text body, interactive body, or template name. */
export function visibleText(message: SentMessage): string {
  const body = message.body as {
    text?: { body?: string };
    interactive?: { body?: { text?: string } };
    template?: { name?: string };
  };
  return body.text?.body ?? body.interactive?.body?.text ?? body.template?.name ?? '';
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text === pattern : pattern.test(text);
}

function summary(m: SentMessage): string {
  const kind = m.type === 'interactive' ? `interactive:${interactive(m).type}` : m.type;
  return `${kind} ${visibleText(m).slice(0, 60)}`;
}

// ---- Meta's validation rules ----

function validateMessage(
  type: string,
  body: Record<string, unknown>,
  templates: FakeTemplate[],
): GraphErrorBody | undefined {
  const content = body[type] as Record<string, unknown> | undefined;
  switch (type) {
    case 'text': {
      const text = (content?.body as string | undefined) ?? '';
      if (!text) return missing("text['body']");
      if (text.length > 4096) return tooLong("text['body']", 4096);
      return undefined;
    }
    case 'location': {
      const lat = content?.latitude;
      const lng = content?.longitude;
      if (typeof lat !== 'number' || typeof lng !== 'number')
        return missing("location['latitude']");
      return undefined;
    }
    case 'interactive':
      return validateInteractive(content as unknown as InteractiveBody | undefined);
    case 'template':
      return validateTemplate(content, templates);
    default:
      return invalid(100, '(#100) Invalid parameter', `Unsupported message type: ${type}`);
  }
}

function validateInteractive(i: InteractiveBody | undefined): GraphErrorBody | undefined {
  if (!i?.type) return missing("interactive['type']");
  if (!i.action) return missing("interactive['action']");
  const body = i.body?.text ?? '';
  switch (i.type) {
    case 'button': {
      if (!body) return missing("interactive['body']");
      if (body.length > 1024) return tooLong("interactive['body']['text']", 1024);
      const buttons = i.action.buttons ?? [];
      if (buttons.length < 1 || buttons.length > 3)
        return notValid('Buttons count invalid. Min: 1, Max: 3');
      if (buttons.some((b) => !b.reply?.title || b.reply.title.length > 20)) {
        return notValid('Button title length invalid. Min length: 1, Max length: 20');
      }
      if (buttons.some((b) => !b.reply?.id || b.reply.id.length > 256)) {
        return notValid('Button id length invalid. Min length: 1, Max length: 256');
      }
      if (new Set(buttons.map((b) => b.reply.title)).size !== buttons.length) {
        return notValid('Button title is not unique');
      }
      if (new Set(buttons.map((b) => b.reply.id)).size !== buttons.length)
        return notValid('Button id is not unique');
      return undefined;
    }
    case 'list': {
      if (!body) return missing("interactive['body']");
      if (body.length > 4096) return tooLong("interactive['body']['text']", 4096);
      const button = i.action.button ?? '';
      if (!button || button.length > 20)
        return notValid('Button title length invalid. Min length: 1, Max length: 20');
      const sections = i.action.sections ?? [];
      if (sections.length < 1 || sections.length > 10)
        return notValid('Sections count invalid. Min: 1, Max: 10');
      if (sections.length > 1 && sections.some((s) => !s.title))
        return missing("interactive['action']['sections'][0]['title']");
      const rows = sections.flatMap((s) => s.rows ?? []);
      if (rows.length < 1 || rows.length > 10)
        return notValid('Total row count exceed max allowed count: 10');
      if (rows.some((r) => !r.title || r.title.length > 24))
        return notValid('Row title length invalid. Min length: 1, Max length: 24');
      if (rows.some((r) => (r.description ?? '').length > 72))
        return notValid('Row description is too long. Max length: 72');
      if (rows.some((r) => !r.id || r.id.length > 200))
        return notValid('Row id length invalid. Min length: 1, Max length: 200');
      if (new Set(rows.map((r) => r.id)).size !== rows.length)
        return notValid('Row id is not unique');
      return undefined;
    }
    case 'cta_url': {
      if (!body) return missing("interactive['body']");
      if (body.length > 1024) return tooLong("interactive['body']['text']", 1024);
      if (i.action.name !== 'cta_url')
        return notValid("interactive['action']['name'] must be cta_url");
      const text = i.action.parameters?.display_text ?? '';
      if (!text || text.length > 20)
        return notValid('Display text length invalid. Min length: 1, Max length: 20');
      if (!/^https?:\/\/\S+$/.test(i.action.parameters?.url ?? '')) return notValid('Invalid URL');
      return undefined;
    }
    case 'location_request_message': {
      if (!body) return missing("interactive['body']");
      if (body.length > 1024) return tooLong("interactive['body']['text']", 1024);
      if (i.action.name !== 'send_location')
        return notValid("interactive['action']['name'] must be send_location");
      const extra = Object.keys(i.action).filter((k) => k !== 'name');
      if (extra.length > 0)
        return invalid(
          100,
          '(#100) Invalid parameter',
          `Unexpected key "${extra[0]}" on param "interactive['action']".`,
        );
      return undefined;
    }
    default:
      return notValid(`Interactive type ${i.type} is not supported`);
  }
}

function validateTemplate(
  t: Record<string, unknown> | undefined,
  templates: FakeTemplate[],
): GraphErrorBody | undefined {
  const name = t?.name as string | undefined;
  const language = (t?.language as { code?: string } | undefined)?.code;
  if (!name) return missing("template['name']");
  if (!language) return missing("template['language']");
  const template = templates.find(
    (x) => x.name === name && x.language === language && x.status === 'APPROVED',
  );
  if (!template) {
    return invalid(
      132001,
      '(#132001) Template name does not exist in the translation',
      `template name (${name}) does not exist in ${language}`,
    );
  }
  const bodyComponent = template.components.find((c) => c.type === 'BODY');
  const bodyText = typeof bodyComponent?.text === 'string' ? bodyComponent.text : '';
  const expected = new Set([...bodyText.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!));
  const components =
    (t?.components as Array<{ type?: string; parameters?: Array<Record<string, unknown>> }>) ?? [];
  const params = components.find((c) => c.type?.toLowerCase() === 'body')?.parameters ?? [];
  if (params.length !== expected.size) {
    return invalid(
      132000,
      '(#132000) Number of parameters does not match the expected number of params',
      `body: number of localizable_params (${params.length}) does not match the expected number of params (${expected.size})`,
    );
  }
  for (const p of params) {
    const text = typeof p.text === 'string' ? p.text : '';
    if (!text || /[\n\t]| {5,}/.test(text)) {
      return invalid(
        132018,
        '(#132018) There was an issue with the parameters in your template.',
        'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
      );
    }
    if (template.parameter_format === 'NAMED' && !expected.has(String(p.parameter_name))) {
      return invalid(
        100,
        '(#100) Invalid parameter',
        'Parameter name is missing or not in the template',
      );
    }
  }
  return undefined;
}

function invalid(code: number, message: string, details?: string): GraphErrorBody {
  return {
    message,
    type: 'OAuthException',
    code,
    ...(details ? { error_data: { messaging_product: 'whatsapp' as const, details } } : {}),
    fbtrace_id: trace(),
  };
}

function missing(param: string): GraphErrorBody {
  return invalid(
    131008,
    '(#131008) Required parameter is missing',
    `The parameter ${param} is required.`,
  );
}

function notValid(details: string): GraphErrorBody {
  return invalid(131009, '(#131009) Parameter value is not valid', details);
}

function tooLong(param: string, max: number): GraphErrorBody {
  return invalid(100, `(#100) Param ${param} must be at most ${max} characters long.`);
}

function unknownObject(id: string): GraphErrorBody {
  return {
    message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
    fbtrace_id: trace(),
  };
}

function reengagement(): Record<string, unknown> {
  return {
    code: 131047,
    title: 'Re-engagement message',
    message: 'Re-engagement message',
    error_data: {
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

function trace(): string {
  return randomBytes(8).toString('base64url');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** JSON the way Meta serialises webhooks: non-ASCII as \uXXXX and "/" as "\/". */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sign(secret: string, raw: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
