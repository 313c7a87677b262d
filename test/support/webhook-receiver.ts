import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  /** The request's path and query (several endpoints may point at one receiver). */
  path: string;
  event: string;
  delivery: string;
  signature: string;
  /** The signature matched the raw body with the shared secret. */
  verified: boolean;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  raw: string;
}

/**
 * A receiver on 127.0.0.1 as a provider's CRM would run one: checks X-Alcance-Signature against
 * the raw body (HMAC-SHA256 with the shared secret, constant-time) and answers 401 when it does
 * not match; can answer 503, be slow, or go down (stop listening) and come back on the same port.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** Every request, accepted or not. */
  attempts = 0;
  mode: 'ok' | 'fail' | 'slow' = 'ok';
  slowMs = 3000;
  private server: Server;
  private port = 0;

  private constructor(private readonly secret: string) {
    this.server = this.make();
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(secret);
    await r.listen();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/alcance?token=abc`;
  }

  private make(): Server {
    return createServer((req, res) => void this.handle(req, res));
  }

  private async listen(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    this.attempts++;
    if (this.mode === 'fail') {
      res.writeHead(503).end('maintenance');
      return;
    }
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
    const signature = String(req.headers['x-alcance-signature'] ?? '');
    const expected = `sha256=${createHmac('sha256', this.secret).update(raw).digest('hex')}`;
    const verified =
      signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!verified) {
      res.writeHead(401).end('bad signature');
      return;
    }
    this.received.push({
      path: req.url ?? '',
      event: String(req.headers['x-alcance-event']),
      delivery: String(req.headers['x-alcance-delivery']),
      signature,
      verified,
      body: JSON.parse(raw) as ReceivedDelivery['body'],
      raw,
    });
    if (!res.destroyed) res.writeHead(204).end();
  }

  /** Stops listening: connections are refused until `up()`. */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  async up(): Promise<void> {
    this.server = this.make();
    await this.listen();
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }
}
