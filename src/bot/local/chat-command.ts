// `alcance chat`: the sales flow in the terminal, on the real services. The FindME page is served
// on a loopback port of this process, so a point confirmed there continues this terminal session.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { AppContext } from '../../context.js';
import { createApp } from '../../http/app.js';
import { FINDME_PATH } from '../../findme/routes.js';
import { createChatSystem } from '../chat-system.js';
import { runTerminalChat, TerminalSender } from './terminal.js';

export interface LocalChatOptions {
  ctx: AppContext;
  redis?: Redis;
  input?: Readable;
  output?: Writable;
  /** Loopback address the FindME page listens on (port 0 = any free port). */
  host?: string;
  port?: number;
}

/** Runs one terminal conversation until end of input or /sair; returns the exit code. */
export async function runLocalChat(options: LocalChatOptions): Promise<number> {
  const output = options.output ?? process.stdout;
  const host = options.host ?? '127.0.0.1';
  // Mounted now, filled once the chat system (which needs this server's URL) exists.
  const findme = Router();
  const app = createApp({
    logger: options.ctx.logger,
    bodyLimit: options.ctx.config.http.bodyLimit,
    trustProxy: false,
    isReady: () => Promise.resolve(true),
    routers: [{ path: FINDME_PATH, router: findme }],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const publicUrl = `http://${host}:${port}`;
    // Links minted here point at this process's own FindME page, whatever PUBLIC_URL says.
    const ctx: AppContext = {
      ...options.ctx,
      config: { ...options.ctx.config, http: { ...options.ctx.config.http, publicUrl } },
    };
    const sender = new TerminalSender(output);
    const system = await createChatSystem(ctx, options.redis, { senders: [sender] });
    for (const { path, router } of system.routers) {
      if (path === FINDME_PATH) findme.use(router);
    }
    await runTerminalChat(system.engine, {
      input: options.input ?? process.stdin,
      output,
      chatId: `terminal-${randomUUID()}`,
    });
    return 0;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
