// The only code that speaks Geogrid HTTP. HTTPS only, with the platform's certificate checks
// (there is no plain-HTTP or certificate-skipping option; a private CA is trusted the Node way,
// NODE_EXTRA_CA_CERTS). The token travels in the `api-key` header and never reaches a log line or
// an error message. Pages of up to 500 records; 429 (Geogrid's per-minute limit) waits for the
// next minute, honouring Retry-After; 5xx, timeouts and dropped connections are retried.
import https from 'node:https';
import { outboundRequest, type OutboundFailure } from '../../http/outbound-request.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import {
  apiBase,
  clientFromRecord,
  clientIdFromAnswer,
  clientsPage,
  equipmentFromPorts,
  fieldErrors,
  GeogridShapeError,
  itemsPage,
  summariesFromBody,
} from './converters.js';
import { clip, GeogridError } from './errors.js';
import type { EquipmentSummary, Page, RemoteClient, RemoteEquipment, RemoteItem } from './types.js';

export interface GeogridClientOptions {
  /** `https://<server>.geogridmaps.com.br/<conta>/api/v3` or the panel URL. */
  apiUrl: string;
  token: string;
  /** Per request, from sending to the last byte (default 30 s). */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, a timeout or a dropped connection (default 3). */
  retries?: number;
  /** First backoff; doubles each attempt, with jitter (default 1 s). */
  backoffMs?: number;
  /** Records per page (Geogrid's maximum and our default: 500). */
  pageSize?: number;
  /** Pace requests to this many per minute (default: as fast as Geogrid's 429s allow). */
  requestsPerMinute?: number;
  /** 429s in a row one request waits through before the run gives up (default 10). */
  maxRateLimitWaits?: number;
  /** Ids per comma list in one request (default 200). */
  idsPerRequest?: number;
  logger?: Logger;
  /** Injected by tests so waits do not pass on the wall clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const MAX_PAGE_SIZE = 500;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MINUTE = 60_000;

type Query = Record<string, string | number | undefined>;

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export class GeogridClient {
  private readonly base: URL;
  private readonly agent: https.Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  readonly pageSize: number;
  private readonly idsPerRequest: number;
  private readonly sleep: NonNullable<GeogridClientOptions['sleep']>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sent: number[] = [];
  /** Requests made (for progress and benchmarks). */
  requests = 0;

  constructor(private readonly options: GeogridClientOptions) {
    let base: URL;
    try {
      base = apiBase(options.apiUrl);
    } catch {
      throw new GeogridError(
        'geogrid_bad_url',
        `Geogrid's api_url is not a URL: ${clip(options.apiUrl, 80)}`,
      );
    }
    if (base.protocol !== 'https:') {
      throw new GeogridError(
        'geogrid_bad_url',
        `Geogrid's api_url must start with https:// (got ${base.protocol}//): Alcance talks to Geogrid over verified HTTPS only`,
      );
    }
    this.base = base;
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 16 });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
    this.idsPerRequest = Math.max(1, options.idsPerRequest ?? 200);
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** The host we talk to (for messages; never includes the token). */
  get host(): string {
    return this.base.host;
  }

  /** `GET /itensRede?item=a,b&modoProjeto=S|N`, page by page (only one page held at a time). */
  async *itemPages(
    types: readonly string[],
    planned: boolean,
    signal?: AbortSignal,
  ): AsyncGenerator<Page<RemoteItem>> {
    for (let page = 1; page < 1_000_000; page++) {
      const body = await this.get(
        'itensRede',
        {
          item: types.join(','),
          modoProjeto: planned ? 'S' : 'N',
          pagina: page,
          registrosPorPagina: this.pageSize,
        },
        signal,
      );
      const converted = this.convert(() => itemsPage(body, page, planned), 'itensRede');
      yield converted;
      const read = converted.records.length + converted.rejected.length;
      if (read === 0 || page * this.pageSize >= converted.total) return;
    }
  }

  /** `GET /itensRede/mapa?ids=…`: the items that still exist (a missing id was deleted). */
  async itemsByIds(ids: readonly string[], signal?: AbortSignal): Promise<RemoteItem[]> {
    const out: RemoteItem[] = [];
    for (const chunk of chunks(ids, this.idsPerRequest)) {
      const body = await this.get('itensRede/mapa', { ids: chunk.join(',') }, signal);
      out.push(...this.convert(() => itemsPage(body, 1, null), 'itensRede/mapa').records);
    }
    return out;
  }

  /**
   * `GET /equipamentos/itemRede/portas?itensRede=…&atendimento=S|N`: per item, the port counts of
   * its service (or distribution) equipment; an item left out has none.
   */
  async portSummaries(
    ids: readonly string[],
    service: boolean,
    signal?: AbortSignal,
  ): Promise<Map<string, EquipmentSummary[]>> {
    const out = new Map<string, EquipmentSummary[]>();
    for (const chunk of chunks(ids, this.idsPerRequest)) {
      const body = await this.get(
        'equipamentos/itemRede/portas',
        { itensRede: chunk.join(','), atendimento: service ? 'S' : 'N' },
        signal,
      );
      for (const [k, v] of this.convert(
        () => summariesFromBody(body),
        'equipamentos/itemRede/portas',
      )) {
        out.set(k, v);
      }
    }
    return out;
  }

  /** `GET /equipamentos/itemRede/{id}/portas`: the item's equipment and their ports, one by one. */
  async itemEquipment(
    itemId: string,
    options: { distribution: boolean },
    signal?: AbortSignal,
  ): Promise<RemoteEquipment[]> {
    const path = `equipamentos/itemRede/${encodeURIComponent(itemId)}/portas`;
    const ask = async (service: boolean) => {
      const body = await this.get(
        path,
        { atendimento: service ? 'S' : 'N', modoProjeto: 'S,N', tipo: 'S,E' },
        signal,
      );
      return this.convert(
        () => equipmentFromPorts(body, service),
        'equipamentos/itemRede/{id}/portas',
      );
    };
    const service = await ask(true);
    if (!options.distribution) return service;
    return [...service, ...(await ask(false))];
  }

  /** `GET /clientes`, page by page. */
  async *clientPages(signal?: AbortSignal): AsyncGenerator<Page<RemoteClient>> {
    for (let page = 1; page < 1_000_000; page++) {
      const body = await this.get(
        'clientes',
        { pagina: page, registrosPorPagina: this.pageSize },
        signal,
      );
      const converted = this.convert(() => clientsPage(body, page), 'clientes');
      yield converted;
      const read = converted.records.length + converted.rejected.length;
      if (read === 0 || page * this.pageSize >= converted.total) return;
    }
  }

  /** `GET /clientes/{id}`; null when Geogrid has no such client. */
  async clientById(id: string, signal?: AbortSignal): Promise<RemoteClient | null> {
    try {
      const body = await this.get(`clientes/${encodeURIComponent(id)}`, {}, signal);
      const d =
        typeof body === 'object' && body !== null ? (body as { dados?: unknown }).dados : null;
      return clientFromRecord(d);
    } catch (err) {
      if (err instanceof GeogridError && err.code === 'geogrid_not_found') return null;
      throw err;
    }
  }

  /** `POST /clientes {dados}` → Geogrid's client id. 422 → GeogridError geogrid_rejected. */
  async createClient(payload: unknown, signal?: AbortSignal): Promise<string> {
    const body = await this.request('POST', 'clientes', {}, payload, signal);
    return this.convert(() => clientIdFromAnswer(body), 'clientes');
  }

  /** `POST /integracao/atender`. 409 (port taken) → geogrid_conflict; 422 → geogrid_rejected. */
  async attach(payload: unknown, signal?: AbortSignal): Promise<void> {
    await this.request('POST', 'integracao/atender', {}, payload, signal);
  }

  close(): void {
    this.agent.destroy();
  }

  private convert<T>(fn: () => T, path: string): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof GeogridShapeError) {
        throw new GeogridError(
          'geogrid_garbage',
          `Geogrid answered ${path} with an unexpected shape (${err.message}): check api_url points at your Geogrid account`,
        );
      }
      throw err;
    }
  }

  private get(path: string, query: Query, signal?: AbortSignal): Promise<unknown> {
    return this.request('GET', path, query, undefined, signal);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: Query,
    payload: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let waits = 0;
    for (let attempt = 0; ;) {
      await this.pace(signal);
      const started = this.now();
      try {
        const body = await this.once(method, path, query, payload, signal);
        this.options.logger?.debug(
          { geogrid: path, attempt, ms: this.now() - started },
          'geogrid call',
        );
        return body;
      } catch (err) {
        if (err instanceof RateLimited) {
          if (++waits > (this.options.maxRateLimitWaits ?? 10)) {
            throw new GeogridError(
              'geogrid_rate_limited',
              `Geogrid kept answering 429 (too many requests per minute) to ${path} after ${waits - 1} waits: ` +
                'lower requestsPerMinute for this integration or ask Geogrid for a higher limit; the next run goes on',
            );
          }
          const wait = err.waitMs ?? this.untilNextMinute();
          this.options.logger?.info({ geogrid: path, waitMs: wait }, 'geogrid rate limit: waiting');
          await this.sleep(wait, signal);
          continue;
        }
        if (!(err instanceof GeogridError) || !err.retryable || attempt >= this.retries) throw err;
        const wait = this.backoffMs * 2 ** attempt * (0.5 + this.random() / 2);
        attempt++;
        this.options.logger?.warn(
          { geogrid: path, attempt, code: err.code, err: err.message, retryInMs: Math.round(wait) },
          'geogrid call failed, retrying',
        );
        await this.sleep(wait, signal);
      }
    }
  }

  /** With requestsPerMinute, waits until the last minute holds fewer requests than that. */
  private async pace(signal?: AbortSignal): Promise<void> {
    const limit = this.options.requestsPerMinute;
    if (!limit) return;
    for (;;) {
      const now = this.now();
      while (this.sent.length && this.sent[0]! <= now - MINUTE) this.sent.shift();
      if (this.sent.length < limit) {
        this.sent.push(now);
        return;
      }
      await this.sleep(this.sent[0]! + MINUTE - now, signal);
    }
  }

  private untilNextMinute(): number {
    const now = this.now();
    return MINUTE - (now % MINUTE) + Math.round(this.random() * 1000);
  }

  private once(
    method: 'GET' | 'POST',
    path: string,
    query: Query,
    payload: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string | number> = {
      accept: 'application/json',
      'api-key': this.options.token,
      'user-agent': 'Alcance-Geogrid-sync/1',
      ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
    };
    this.requests++;
    return outboundRequest(url, {
      method,
      headers,
      body: data,
      agent: this.agent,
      timeoutMs: this.timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      signal,
      fail: (failure) => this.failure(path, failure),
    }).then((res) => this.interpret(path, res.status, res.headers, res.body));
  }

  private failure(path: string, failure: OutboundFailure): GeogridError {
    switch (failure.kind) {
      case 'timeout':
        return new GeogridError(
          'geogrid_timeout',
          `Geogrid did not answer ${path} within ${Math.round(this.timeoutMs / 1000)} s`,
          true,
        );
      case 'too-large':
        return new GeogridError(
          'geogrid_garbage',
          `Geogrid's answer to ${path} is larger than 64 MB`,
        );
      case 'dropped':
        return this.dropped(path);
      case 'unreachable':
        return this.unreachable(path, failure.error);
    }
  }

  private dropped(path: string): GeogridError {
    return new GeogridError(
      'geogrid_unavailable',
      `Geogrid dropped the connection while sending ${path}`,
      true,
    );
  }

  private unreachable(path: string, err: NodeJS.ErrnoException): GeogridError {
    if (err.code && TLS_CODES.has(err.code)) {
      return new GeogridError(
        'geogrid_tls',
        `the HTTPS certificate of ${this.base.host} is not trusted (${err.code}): Alcance only talks to Geogrid over verified HTTPS; ` +
          'check api_url, or install the CA that signed it (NODE_EXTRA_CA_CERTS)',
      );
    }
    const why =
      err.code === 'ECONNREFUSED'
        ? 'connection refused'
        : err.code === 'ENOTFOUND'
          ? 'host not found'
          : err.code === 'ECONNRESET'
            ? 'connection reset'
            : (err.code ?? 'network error');
    return new GeogridError(
      'geogrid_unavailable',
      `cannot reach Geogrid at ${this.base.host} for ${path}: ${why}`,
      true,
    );
  }

  private interpret(
    path: string,
    status: number,
    headers: IncomingHttpHeaders,
    raw: Buffer,
  ): unknown {
    const textBody = raw.toString('utf8');
    let json: unknown;
    let parsed = false;
    try {
      json = textBody ? JSON.parse(textBody) : null;
      parsed = true;
    } catch {
      // handled per status below
    }
    const fields = parsed ? fieldErrors(json) : {};
    const masked = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, maskPii(clip(v, 160))]),
    );
    const said = (): string => {
      const pairs = Object.entries(masked).map(([k, v]) => `${k}: ${v}`);
      return pairs.length ? pairs.join('; ') : maskPii(clip(textBody, 120));
    };
    if (status >= 200 && status < 300) {
      if (!parsed) {
        const type = String(headers['content-type'] ?? 'no content type').split(';')[0];
        throw new GeogridError(
          'geogrid_garbage',
          `Geogrid answered ${path} with something that is not JSON (${type}): check api_url points at your Geogrid account's API`,
        );
      }
      return json;
    }
    if (status === 429) throw new RateLimited(retryAfterMs(headers['retry-after'], this.now()));
    if (status === 401 || status === 403) {
      throw new GeogridError(
        'geogrid_wrong_token',
        `Geogrid refused the token (${status}): check the api-key Geogrid gave you (ask Geogrid's support) and that api_url is your account's`,
      );
    }
    if (status === 404) {
      throw new GeogridError(
        'geogrid_not_found',
        `Geogrid has no ${path} (404${Object.keys(masked).length ? `: ${said()}` : ''}): check api_url, e.g. https://eros.geogridmaps.com.br/<conta>/api/v3`,
        false,
        masked,
      );
    }
    if (status === 409) {
      throw new GeogridError(
        'geogrid_conflict',
        `Geogrid refused ${path} (409): "${clip(said())}"`,
        false,
        masked,
      );
    }
    if (status === 400 || status === 422) {
      throw new GeogridError(
        'geogrid_rejected',
        `Geogrid rejected ${path} (${status}): "${clip(said())}"`,
        false,
        masked,
      );
    }
    if (status >= 500) {
      throw new GeogridError(
        'geogrid_unavailable',
        `Geogrid answered ${status} to ${path}: "${clip(said())}"`,
        true,
      );
    }
    throw new GeogridError(
      'geogrid_rejected',
      `Geogrid rejected ${path} (${status}): "${clip(said())}"`,
      false,
      masked,
    );
  }
}

/** A 429; `waitMs` from Retry-After when Geogrid sent one. */
class RateLimited extends Error {
  constructor(readonly waitMs: number | undefined) {
    super('rate limited');
  }
}

/** Retry-After in seconds or as an HTTP date → ms from now (at least 1 s, at most 2 min). */
export function retryAfterMs(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 1_000), 2 * MINUTE);
}
