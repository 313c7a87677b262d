import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { webChatRouter, WebChatOutbox } from '../../src/bot/local/web-chat.js';
import type { OutboundMessage } from '../../src/bot/conversation/messages.js';
import { harness, NOT_VIABLE, type Harness } from './support.js';

interface RepliesBody {
  replies: OutboundMessage[];
}

describe('web chat router (real HTTP on 127.0.0.1)', () => {
  let h: Harness;
  let server: Server;
  let base: string;
  const outbox = new WebChatOutbox();

  beforeAll(async () => {
    h = harness();
    const app = createApp({
      logger: createLogger('silent'),
      bodyLimit: '1mb',
      trustProxy: false,
      isReady: () => Promise.resolve(true),
      routers: [{ path: '/', router: webChatRouter(h.engine, { outbox }) }],
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function post(body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${base}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  function texts(json: unknown): string {
    return (json as RepliesBody).replies.map((r) => ('text' in r ? r.text : '')).join('\n');
  }

  it('serves an accessible pt-BR page', async () => {
    const res = await fetch(`${base}/chat`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain('<label for="text"');
    expect(html).toContain('aria-label="Enviar minha localização"');
    expect(html).toContain('role="log"');
    expect(html).toContain('name="viewport"');
  });

  it('drives the engine: text, location, prospect', async () => {
    h.sales.defaultCoverage = NOT_VIABLE;
    const sessionId = 'session-web-1';
    const greeting = await post({ sessionId, text: 'oi' });
    expect(greeting.status).toBe(200);
    expect(texts(greeting.json)).toContain('Como posso te ajudar?');
    const answer = await post({ sessionId, location: { lat: -23.42, lng: -51.93 } });
    expect(texts(answer.json)).toContain('ainda não temos fibra');
    await post({ sessionId, text: 'sim' });
    await post({ sessionId, text: 'Rua das Acácias, 45, fundos' });
    await post({ sessionId, text: 'Ana Souza' });
    expect(texts((await post({ sessionId, text: '44 99876-5432' })).json)).toContain(
      'Seu contato está anotado',
    );
    expect(h.sales.prospectCalls.at(-1)).toMatchObject({
      channel: 'web',
      chatId: sessionId,
      name: 'Ana Souza',
      point: { lat: -23.42, lng: -51.93 },
    });
  });

  it('answers a repeated messageId once', async () => {
    const body = { sessionId: 'session-web-2', messageId: 'msg-00000001', text: 'oi' };
    expect((await post(body)).json).toMatchObject({
      replies: [{ kind: 'text' }, { kind: 'text' }],
    });
    expect((await post(body)).json).toEqual({ replies: [] });
  });

  it.each([
    [{ text: 'oi' }, 'sessionId'],
    [{ sessionId: 'short', text: 'oi' }, 'sessionId'],
    [{ sessionId: 'session-web-3' }, 'exactly one of text or location'],
    [{ sessionId: 'session-web-3', text: 'oi', location: { lat: 1, lng: 1 } }, 'exactly one'],
    [{ sessionId: 'session-web-3', location: { lat: 91, lng: 1 } }, 'location.lat'],
    [{ sessionId: 'session-web-3', text: '' }, 'text'],
  ])('rejects a bad body %j with 400', async (body, expected) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((res.json as { message: string }).message).toContain(expected);
  });

  it('hands messages sent later (FindME hand-back) to the page through the outbox', async () => {
    await outbox.send('session-web-4', [{ kind: 'text', text: 'Recebi a localização' }]);
    const first = await fetch(`${base}/chat/messages?sessionId=session-web-4`);
    expect(await first.json()).toEqual({
      replies: [{ kind: 'text', text: 'Recebi a localização' }],
    });
    const second = await fetch(`${base}/chat/messages?sessionId=session-web-4`);
    expect(await second.json()).toEqual({ replies: [] });
    const bad = await fetch(`${base}/chat/messages?sessionId=x`);
    expect(bad.status).toBe(400);
  });
});
