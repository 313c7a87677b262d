// A small load balancer for the multi-instance tests: each request goes to the next backend in
// turn; a backend that refuses the connection (killed) is skipped for that request, as a load
// balancer's health check would; one that fails mid-request answers 502. The answer says which backend served it (X-Served-By).
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Replaces the backends (base URLs); requests in flight keep theirs. */
  setBackends(backends: string[]): void;
  /** How many requests each backend served. */
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  let targets = [...backends];
  let next = 0;
  const served = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const order = targets.map((_, i) => targets[(next + i) % targets.length]!);
      next = (next + 1) % Math.max(targets.length, 1);
      const attempt = (i: number) => {
        const target = order[i];
        if (!target) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'no backend answered' }));
          return;
        }
        const url = new URL(req.url ?? '/', target);
        const headers: IncomingHttpHeaders = { ...req.headers, host: url.host };
        const upstream = request(url, { method: req.method, headers }, (answer) => {
          served.set(target, (served.get(target) ?? 0) + 1);
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-served-by': target });
          answer.pipe(res);
        });
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          // Refused: nothing listens there, the request was never seen; try the next one. A reset
          // may come after the backend acted on it, so it is a 502, as a load balancer answers.
          if (err.code === 'ECONNREFUSED') attempt(i + 1);
          else if (!res.headersSent) {
            res.writeHead(502, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: `backend failed: ${err.code ?? err.message}` }));
          } else res.destroy(err);
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  // Several hundred concurrent requests in the tests: no keep-alive pooling to worry about.
  server.maxConnections = 2_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends: (b) => {
      targets = [...b];
    },
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
