/* eslint-disable @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON; the assertions check them */
import { request } from 'node:http';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { DbProvider } from '../../src/ozmap-model/db/client.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { startServer, type StartOptions } from '../../src/server.js';
import type { ChatSystem } from '../../src/bot/chat-system.js';
import type { ConnectSocket } from '../../src/bot/whatsapp/baileys.js';
import type { SalesWorkspace } from '../../src/sales/index.js';
import { freshDatabase } from './db.js';

/** A parsed JSON response body: tests read it freely and assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** A valid API key (integration "generic"). */
  apiKey: string;
  ctx: AppContext;
  /** The chat channels, to wait for them (e.g. `chat.whatsappCloud?.whenIdle()`). */
  chat: ChatSystem;
  /** The sales workspace (its watch, outbox, delivery worker, hand-off queue...). */
  sales: SalesWorkspace;
  close(): Promise<void>;
}

/**
 * The real server on 127.0.0.1 and a random port, over a fresh migrated database of `provider`,
 * with one API key created. `env` overrides configuration variables.
 */
export async function startTestServer(
  provider: DbProvider,
  env: Record<string, string> = {},
  options: {
    now?: () => Date;
    /** Where the built web pages are (a temp folder the test built into). */
    webDist?: string;
    /** Extra routers mounted before the built-in ones. */
    routers?: StartOptions['routers'];
    /** Instead of a silent logger (e.g. one that captures the lines, to assert on the log). */
    logger?: Logger;
    /** The Baileys socket factory (e.g. `hubConnector` of test/support/fake-whatsapp.ts). */
    whatsappConnect?: ConnectSocket;
  } = {},
): Promise<TestServer> {
  const database = await freshDatabase(provider);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEMO_NETWORK: 'off',
    ...env,
  });
  const running = await startServer(config, options.logger ?? createLogger(config.logLevel), {
    jobs: false,
    now: options.now,
    webDist: options.webDist,
    routers: options.routers,
    whatsappConnect: options.whatsappConnect,
  }).catch(async (err: unknown) => {
    // A server that refused to start leaves no database behind.
    await database.drop();
    throw err;
  });
  const { key } = await createApiKey(running.ctx.db, 'test');
  return {
    url: running.url,
    apiKey: key,
    ctx: running.ctx,
    chat: running.chat,
    sales: running.sales,
    close: async () => {
      await running.close();
      await database.drop();
    },
  };
}

/** A small fetch wrapper for JSON APIs: returns status and the parsed body (null when empty). */
export async function api(
  server: Pick<TestServer, 'url' | 'apiKey'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: server.apiKey,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** GET with a JSON body, which fetch cannot send but the OZmap SDK (axios) does. */
export async function getWithBody(
  server: Pick<TestServer, 'url' | 'apiKey'>,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Json }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      server.url + path,
      {
        method: 'GET',
        headers: {
          authorization: server.apiKey,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as unknown) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
