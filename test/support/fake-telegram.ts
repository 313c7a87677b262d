import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the simulated Bot API received, and what it answered. */
export interface FakeTelegramCall {
  method: string;
  payload: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** The `error_code` it answered with, when it failed. */
  failedWith?: number;
}

interface ApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

interface StoredUpdate {
  update_id: number;
  [kind: string]: unknown;
}

interface PendingPoll {
  offset: number;
  allowed: string[];
  respond: (updates: StoredUpdate[]) => void;
}

const BOT_ID = 7000000001;

/**
 * A local stand-in for api.telegram.org speaking the Bot API over HTTP on 127.0.0.1: getMe,
 * getUpdates (long poll with offsets and allowed_updates), sendMessage, sendLocation, sendVenue,
 * setWebhook, deleteWebhook, answerCallbackQuery. It records every call and can fail the next
 * call of a method once (e.g. a 429 with retry_after).
 */
export class FakeTelegram {
  readonly calls: FakeTelegramCall[] = [];
  webhook: { url: string; secret_token?: string } | undefined;
  private readonly updates: StoredUpdate[] = [];
  private nextUpdateId = 100;
  private nextMessageId = 1;
  private readonly failures = new Map<string, ApiError[]>();
  private readonly polls = new Set<PendingPoll>();
  private readonly callWaiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly apiRoot: string,
  ) {}

  static async start(token = '123456:TEST-token_abc'): Promise<FakeTelegram> {
    const ref: { fake?: FakeTelegram } = {};
    const server = createServer((req, res) => {
      void ref.fake?.route(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    ref.fake = new FakeTelegram(server, token, `http://127.0.0.1:${port}`);
    return ref.fake;
  }

  /** Queues an update for getUpdates; returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number {
    const stored: StoredUpdate = { ...update, update_id: this.nextUpdateId++ };
    this.updates.push(stored);
    for (const poll of [...this.polls]) {
      const ready = this.pending(poll.offset, poll.allowed);
      if (ready.length > 0) poll.respond(ready);
    }
    return stored.update_id;
  }

  /** The next call of `method` fails with this error (once per call to failNext). */
  failNext(method: string, error: ApiError): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(error);
    this.failures.set(method, queue);
  }

  callsOf(method: string): FakeTelegramCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once `count` successful calls of `method` were received (or rejects on timeout). */
  async waitForCalls(
    method: string,
    count: number,
    timeoutMs = 10_000,
  ): Promise<FakeTelegramCall[]> {
    const done = () => this.callsOf(method).filter((c) => c.failedWith === undefined);
    const deadline = Date.now() + timeoutMs;
    while (done().length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${count} ${method} calls (got ${done().length})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.callWaiters.delete(wake);
          resolve();
        }, left);
        const wake = () => {
          clearTimeout(timer);
          this.callWaiters.delete(wake);
          resolve();
        };
        this.callWaiters.add(wake);
      });
    }
    return done();
  }

  async close(): Promise<void> {
    for (const poll of this.polls) poll.respond([]);
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method = ''] = match;
    const payload = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const call: FakeTelegramCall = { method, payload, at: Date.now() };
    this.calls.push(call);
    try {
      if (token !== this.token)
        return this.fail(res, call, { error_code: 401, description: 'Unauthorized' });
      const injected = this.failures.get(method)?.shift();
      if (injected) return this.fail(res, call, injected);
      const result = await this.handle(method, payload, res);
      if (result === undefined) {
        return this.fail(res, call, {
          error_code: 404,
          description: 'Not Found: method not found',
        });
      }
      if ('error' in result) return this.fail(res, call, result.error);
      send(res, 200, { ok: true, result: result.ok });
    } finally {
      for (const wake of [...this.callWaiters]) wake();
    }
  }

  private fail(res: ServerResponse, call: FakeTelegramCall, error: ApiError): void {
    call.failedWith = error.error_code;
    send(res, error.error_code, { ok: false, ...error });
  }

  private async handle(
    method: string,
    payload: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<{ ok: unknown } | { error: ApiError } | undefined> {
    switch (method) {
      case 'getMe':
        return {
          ok: {
            id: BOT_ID,
            is_bot: true,
            first_name: 'Alcance',
            username: 'alcance_test_bot',
            can_join_groups: false,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
          },
        };
      case 'getUpdates':
        return this.getUpdates(payload, res);
      case 'setWebhook': {
        if (typeof payload.url !== 'string')
          return { error: { error_code: 400, description: 'Bad Request: bad webhook' } };
        this.webhook = {
          url: payload.url,
          secret_token: payload.secret_token as string | undefined,
        };
        return { ok: true };
      }
      case 'deleteWebhook':
        this.webhook = undefined;
        return { ok: true };
      case 'answerCallbackQuery':
        return { ok: true };
      case 'sendMessage':
      case 'sendLocation':
      case 'sendVenue': {
        if (payload.chat_id === undefined)
          return { error: { error_code: 400, description: 'Bad Request: chat_id is empty' } };
        if (method === 'sendMessage' && !payload.text)
          return { error: { error_code: 400, description: 'Bad Request: message text is empty' } };
        return { ok: this.message(method, payload) };
      }
      default:
        return undefined;
    }
  }

  private async getUpdates(
    payload: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<{ ok: unknown } | { error: ApiError }> {
    if (this.webhook) {
      return {
        error: {
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
      };
    }
    const offset = Number(payload.offset ?? 0);
    const allowed = Array.isArray(payload.allowed_updates)
      ? (payload.allowed_updates as string[])
      : [];
    // A positive offset confirms every update before it: Telegram forgets them.
    if (offset > 0) {
      const keep = this.updates.filter((u) => u.update_id >= offset);
      this.updates.splice(0, this.updates.length, ...keep);
    }
    const ready = this.pending(offset, allowed);
    const limit = Number(payload.limit ?? 100);
    const timeoutSeconds = Number(payload.timeout ?? 0);
    if (ready.length > 0 || timeoutSeconds <= 0) return { ok: ready.slice(0, limit) };
    const updates = await new Promise<StoredUpdate[]>((resolve) => {
      const poll: PendingPoll = {
        offset,
        allowed,
        respond: (found) => {
          clearTimeout(timer);
          this.polls.delete(poll);
          resolve(found.slice(0, limit));
        },
      };
      const timer = setTimeout(() => poll.respond([]), timeoutSeconds * 1000);
      // The client gave up (telegraf aborts the long poll on stop).
      res.once('close', () => poll.respond([]));
      this.polls.add(poll);
    });
    return { ok: updates };
  }

  private pending(offset: number, allowed: string[]): StoredUpdate[] {
    return this.updates.filter(
      (u) =>
        u.update_id >= offset &&
        (allowed.length === 0 ||
          Object.keys(u).some((k) => k !== 'update_id' && allowed.includes(k))),
    );
  }

  private message(method: string, payload: Record<string, unknown>): Record<string, unknown> {
    const base = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(payload.chat_id), type: 'private' },
      from: { id: BOT_ID, is_bot: true, first_name: 'Alcance' },
    };
    if (method === 'sendMessage') return { ...base, text: payload.text };
    const location = { latitude: payload.latitude, longitude: payload.longitude };
    if (method === 'sendVenue') {
      return {
        ...base,
        location,
        venue: { location, title: payload.title, address: payload.address },
      };
    }
    return { ...base, location };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
