// A simulated WhatsApp for several service instances in separate processes. It follows the rule
// that matters across instances: one live connection per number (session credentials); a second
// connection replaces the first, which is closed with 440 (connectionReplaced), as WhatsApp does.
// Instances connect over HTTP: GET /connect streams NDJSON events (open, message, close) to the
// socket; POST /send delivers a message from the current connection only.
import { EventEmitter } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  proto,
  type AnyMessageContent,
  type BaileysEventMap,
  type ConnectSocket,
  type WAMessage,
  type WhatsAppSocket,
} from '../../src/bot/whatsapp/baileys.js';

export interface HubConnection {
  id: number;
  session: string;
  instance: string;
  openedAt: number;
  closedAt?: number;
  closedBy?: 'client' | 'replaced';
}

export interface HubSent {
  session: string;
  instance: string;
  jid: string;
  text?: string;
}

export interface FakeWhatsApp {
  url: string;
  connections: HubConnection[];
  sent: HubSent[];
  /** The live connection of a session, if any. */
  current(session: string): HubConnection | undefined;
  /** Pushes an incoming message from a customer to the session's live connection. */
  deliver(session: string, from: string, text: string): boolean;
  close(): Promise<void>;
}

export async function startFakeWhatsApp(): Promise<FakeWhatsApp> {
  const connections: HubConnection[] = [];
  const sent: HubSent[] = [];
  const streams = new Map<number, ServerResponse>();
  let nextId = 0;
  let nextMessage = 0;
  const live = (session: string) =>
    connections.find((c) => c.session === session && c.closedAt === undefined);
  const push = (id: number, event: unknown) => streams.get(id)?.write(`${JSON.stringify(event)}\n`);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (req.method === 'GET' && url.pathname === '/connect') {
      const session = url.searchParams.get('session') ?? 'default';
      const instance = url.searchParams.get('instance') ?? '?';
      const previous = live(session);
      if (previous) {
        previous.closedAt = Date.now();
        previous.closedBy = 'replaced';
        push(previous.id, { type: 'close', code: 440 });
        streams.get(previous.id)?.end();
        streams.delete(previous.id);
      }
      const connection: HubConnection = { id: ++nextId, session, instance, openedAt: Date.now() };
      connections.push(connection);
      streams.set(connection.id, res);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      push(connection.id, { type: 'open', me: '5544000000000:1@s.whatsapp.net' });
      req.socket.on('close', () => {
        streams.delete(connection.id);
        if (connection.closedAt === undefined) {
          connection.closedAt = Date.now();
          connection.closedBy = 'client';
        }
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/send') {
      void readJson(req).then((body) => {
        const b = body as { session: string; instance: string; jid: string; text?: string };
        const current = live(b.session);
        if (!current || current.instance !== b.instance) {
          res.writeHead(440, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'connection replaced' }));
          return;
        }
        sent.push({ session: b.session, instance: b.instance, jid: b.jid, text: b.text });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `OUT${++nextMessage}` }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    sent,
    current: live,
    deliver(session, from, text) {
      const connection = live(session);
      if (!connection) return false;
      push(connection.id, {
        type: 'message',
        message: {
          key: { remoteJid: from, fromMe: false, id: `IN${++nextMessage}` },
          messageTimestamp: Math.floor(Date.now() / 1000),
          pushName: 'Cliente',
          message: { conversation: text },
        },
      });
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams.values()) s.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as unknown;
}

/**
 * The socket factory an instance uses instead of Baileys: each call opens a connection to the
 * hub as `instance` and turns its events into Baileys events.
 */
export function hubConnector(hubUrl: string, instance: string, session = 'default'): ConnectSocket {
  return (auth) => {
    const emitter = new EventEmitter();
    let ended = false;
    const emit = <E extends keyof BaileysEventMap>(event: E, arg: BaileysEventMap[E]) =>
      emitter.emit(event, arg);
    const closeWith = (statusCode: number) => {
      if (ended) return;
      ended = true;
      const error = Object.assign(new Error('Connection Closed'), { output: { statusCode } });
      emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error, date: new Date() },
      });
    };
    const req = request(
      `${hubUrl}/connect?session=${encodeURIComponent(session)}&instance=${encodeURIComponent(instance)}`,
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, at);
            buffer = buffer.slice(at + 1);
            const event = JSON.parse(line) as {
              type: string;
              me?: string;
              code?: number;
              message?: object;
            };
            if (event.type === 'open') {
              auth.creds.me = { id: event.me ?? '' };
              emit('connection.update', { connection: 'open' });
            } else if (event.type === 'message' && event.message) {
              const message = proto.WebMessageInfo.fromObject(event.message) as WAMessage;
              emit('messages.upsert', { messages: [message], type: 'notify' });
            } else if (event.type === 'close') closeWith(event.code ?? 428);
          }
        });
        res.on('end', () => closeWith(428));
      },
    );
    req.on('error', () => closeWith(408));
    req.end();

    const socket: WhatsAppSocket = {
      ev: {
        on: (event, listener) => void emitter.on(event, listener),
        removeAllListeners: (event) => void emitter.removeAllListeners(event),
      },
      async sendMessage(jid: string, content: AnyMessageContent) {
        const text = 'text' in content ? content.text : undefined;
        const res = await fetch(`${hubUrl}/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session, instance, jid, text }),
        });
        if (!res.ok) throw new Error(`hub refused the send: ${res.status}`);
        const { id } = (await res.json()) as { id: string };
        return proto.WebMessageInfo.fromObject({
          key: { remoteJid: jid, fromMe: true, id },
          message: text ? { conversation: text } : {},
        });
      },
      sendPresenceUpdate: () => Promise.resolve(),
      requestPairingCode: () => Promise.resolve('FAKE-CODE'),
      end: () => {
        ended = true;
        req.destroy();
      },
    };
    return socket;
  };
}
