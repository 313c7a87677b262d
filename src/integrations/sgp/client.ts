// The only code that speaks SGP HTTP. Credentials travel in the request body (also on GET, as
// SGP's own collection does), never in the URL, and never reach a log line or an error message.
import http from 'node:http';
import https from 'node:https';
import { outboundRequest, type OutboundFailure } from '../../http/outbound-request.js';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import { contractPage, placementFromOnus, SgpShapeError } from './converters.js';
import { windowParams, type DayWindow } from './date-window.js';
import { authError, clip, SgpError } from './errors.js';
import type { ContractStatus, SgpContractPage, SgpPlacement } from './types.js';

export type SgpAuth =
  { kind: 'token'; token: string; app: string } | { kind: 'basic'; user: string; password: string };

export interface SgpClientOptions {
  /** The tenant host, e.g. https://provedor.sgp.net.br */
  baseUrl: string;
  auth: SgpAuth;
  /** Per request, from sending to the last byte (default 30 s). */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, a timeout or a dropped connection (default 3). */
  retries?: number;
  /** First backoff; doubles each attempt, with jitter (default 1 s). */
  backoffMs?: number;
  /** Customers per page of the contract feed (SGP's maximum and default: 100). */
  pageSize?: number;
  logger?: Logger;
  /** Injected by tests so backoff does not wait on the wall clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface ContractQuery {
  /** Only contracts in this status (`contrato_status`). */
  status?: ContractStatus;
  /** A day window on one of SGP's date fields, sent as its inicio/fim pair. */
  window?: DayWindow;
  /** One contract (`contrato`). */
  contractId?: string;
}

const MAX_PAGE_SIZE = 100;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

type Params = Record<string, string | number>;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

export class SgpClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  /** Customers asked for per page. */
  readonly pageSize: number;
  private readonly sleep: NonNullable<SgpClientOptions['sleep']>;
  private readonly random: () => number;

  constructor(private readonly options: SgpClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new SgpError('sgp_bad_request', `SGP URL must be http(s), got ${base.protocol}`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    const Agent = base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 16 });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** The host we talk to (for messages; never includes credentials). */
  get host(): string {
    return this.base.host;
  }

  /**
   * The contract feed (`POST /api/ura/clientes/`), page by page: offset/limit up to 100 customers,
   * until `paginacao.total`. Each page is converted before it is yielded; only one page is held.
   */
  async *contractPages(
    query: ContractQuery = {},
    signal?: AbortSignal,
  ): AsyncGenerator<SgpContractPage> {
    const filters: Params = { exibir_conexao: 1, omitir_titulos: 1 };
    if (query.status !== undefined) filters.contrato_status = query.status;
    if (query.contractId !== undefined) filters.contrato = query.contractId;
    if (query.window) Object.assign(filters, windowParams(query.window));
    let offset = 0;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const body = await this.call(
        'POST',
        'api/ura/clientes/',
        { ...filters, offset, limit: this.pageSize },
        signal,
      );
      const page = this.convert(() => contractPage(body, offset), 'api/ura/clientes/');
      yield page;
      offset += page.customers;
      if (page.customers === 0 || offset >= page.total) return;
    }
  }

  /** Where SGP has the contract's ONU (`GET /api/fttx/onu/list/?contrato=`): CTO label and port. */
  async placement(contractId: string, signal?: AbortSignal): Promise<SgpPlacement | null> {
    const body = await this.call(
      'GET',
      'api/fttx/onu/list/',
      { contrato: contractId, signal: 1 },
      signal,
    );
    return this.convert(() => placementFromOnus(body, contractId), 'api/fttx/onu/list/');
  }

  close(): void {
    this.agent.destroy();
  }

  private convert<T>(fn: () => T, path: string): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SgpShapeError) {
        throw new SgpError(
          'sgp_garbage',
          `SGP answered ${path} with an unexpected shape (${err.message}): check the URL points at the SGP host`,
        );
      }
      throw err;
    }
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    signal?: AbortSignal,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        const body = await this.once(method, path, params, signal);
        this.options.logger?.debug({ sgp: path, attempt, ms: Date.now() - started }, 'sgp call');
        return body;
      } catch (err) {
        if (!(err instanceof SgpError) || !err.retryable || attempt >= this.retries) throw err;
        const wait = this.backoffMs * 2 ** attempt * (0.5 + this.random() / 2);
        this.options.logger?.warn(
          { sgp: path, attempt, code: err.code, err: err.message, retryInMs: Math.round(wait) },
          'sgp call failed, retrying',
        );
        await this.sleep(wait, signal);
      }
    }
  }

  private authParams(): Params {
    const a = this.options.auth;
    return a.kind === 'token' ? { token: a.token, app: a.app } : {};
  }

  private once(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = new URL(path, this.base);
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, ...this.authParams() }))
      form.set(k, String(v));
    const payload = Buffer.from(form.toString());
    const headers: Record<string, string | number> = {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': payload.length,
      'user-agent': 'Alcance-SGP-sync/1',
    };
    const a = this.options.auth;
    if (a.kind === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}`;
    }
    return outboundRequest(url, {
      method,
      headers,
      body: payload,
      agent: this.agent,
      timeoutMs: this.timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      signal,
      fail: (failure) => this.failure(path, failure),
    }).then((res) => this.interpret(path, res.status, res.headers, res.body));
  }

  private failure(path: string, failure: OutboundFailure): SgpError {
    switch (failure.kind) {
      case 'timeout':
        return new SgpError(
          'sgp_timeout',
          `SGP did not answer ${path} within ${Math.round(this.timeoutMs / 1000)} s`,
          true,
        );
      case 'too-large':
        return new SgpError('sgp_garbage', `SGP's answer to ${path} is larger than 32 MB`);
      case 'dropped':
        return this.dropped(path);
      case 'unreachable':
        return this.unreachable(path, failure.error);
    }
  }

  private dropped(path: string): SgpError {
    return new SgpError(
      'sgp_unavailable',
      `SGP dropped the connection while sending ${path}`,
      true,
    );
  }

  private unreachable(path: string, err: NodeJS.ErrnoException): SgpError {
    const why =
      err.code === 'ECONNREFUSED'
        ? 'connection refused'
        : err.code === 'ENOTFOUND'
          ? 'host not found'
          : err.code === 'ECONNRESET'
            ? 'connection reset'
            : (err.code ?? 'network error');
    return new SgpError(
      'sgp_unavailable',
      `cannot reach SGP at ${this.base.host} for ${path}: ${why}`,
      true,
    );
  }

  private interpret(
    path: string,
    status: number,
    headers: http.IncomingHttpHeaders,
    raw: Buffer,
  ): unknown {
    const textBody = raw.toString('utf8');
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(textBody);
      parsed = true;
    } catch {
      // handled per status below
    }
    const said = (): string => {
      if (parsed && typeof json === 'object' && json !== null) {
        const o = json as { detail?: unknown; erro?: unknown; msg?: unknown };
        const m = o.erro ?? o.detail ?? o.msg;
        if (typeof m === 'string') return maskPii(m);
      }
      return maskPii(clip(textBody, 120));
    };
    if (status >= 200 && status < 300) {
      if (!parsed) {
        const type = String(headers['content-type'] ?? 'no content type').split(';')[0];
        throw new SgpError(
          'sgp_garbage',
          `SGP answered ${path} with something that is not JSON (${type}): check the URL points at the SGP host`,
        );
      }
      return json;
    }
    if (status === 401 || status === 403) throw authError(status, said());
    if (status === 404) {
      throw new SgpError(
        'sgp_not_found',
        `SGP has no ${path} (404): check the URL is the SGP host, e.g. https://provedor.sgp.net.br`,
      );
    }
    if (status === 429 || status >= 500) {
      throw new SgpError(
        'sgp_unavailable',
        `SGP answered ${status} to ${path}: "${clip(said())}"`,
        true,
      );
    }
    throw new SgpError('sgp_bad_request', `SGP rejected ${path} (${status}): "${clip(said())}"`);
  }
}
