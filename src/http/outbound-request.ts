import http, { type Agent, type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What can go wrong below HTTP; each integration turns it into its own typed error. */
export type OutboundFailure =
  | { kind: 'timeout' }
  | { kind: 'dropped' }
  | { kind: 'too-large' }
  | { kind: 'unreachable'; error: NodeJS.ErrnoException };

export interface OutboundRequest {
  method: string;
  headers: Record<string, string | number>;
  body?: Buffer;
  agent?: Agent;
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
  fail(failure: OutboundFailure): Error;
}

/**
 * One request to a vendor's API with the whole answer read (bounded in size and time), for the
 * integration clients that speak HTTP themselves. An aborted signal rejects with its reason.
 */
export function outboundRequest(url: URL, o: OutboundRequest): Promise<OutboundResponse> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason as Error);
    let settled = false;
    // Assigned right after the request is created, before any of its callbacks can run.
    // eslint-disable-next-line prefer-const
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, value?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = transport.request(
      url,
      { method: o.method, headers: o.headers, agent: o.agent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBodyBytes) {
            req.destroy();
            finish(o.fail({ kind: 'too-large' }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('aborted', () => finish(o.fail({ kind: 'dropped' })));
        res.on('error', () => finish(o.fail({ kind: 'dropped' })));
        res.on('end', () => {
          if (!res.complete) return finish(o.fail({ kind: 'dropped' }));
          finish(null, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    timer = setTimeout(() => {
      req.destroy();
      finish(o.fail({ kind: 'timeout' }));
    }, o.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(o.signal?.reason as Error);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(o.fail({ kind: 'unreachable', error: err })),
    );
    req.end(o.body);
  });
}
