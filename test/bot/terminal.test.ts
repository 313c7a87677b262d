import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { createBox } from '../support/network-fixture.js';
import {
  formatReplies,
  parseTerminalLine,
  runTerminalChat,
  TerminalSender,
} from '../../src/bot/local/terminal.js';
import { runLocalChat } from '../../src/bot/local/chat-command.js';
import { harness } from './support.js';

const identity = { channel: 'terminal' as const, chatId: 't1' };

describe('terminal chat', () => {
  it('parses text, /loc, /contato, /figurinha and /sair', () => {
    expect(parseTerminalLine('  ', identity)).toBeUndefined();
    expect(parseTerminalLine('oi', identity)).toMatchObject({
      kind: 'message',
      message: { kind: 'text', text: 'oi', channel: 'terminal', chatId: 't1' },
    });
    expect(parseTerminalLine('/loc -23.42 -51.93 Rua A, 1', identity)).toMatchObject({
      kind: 'message',
      message: { kind: 'location', point: { lat: -23.42, lng: -51.93 }, address: 'Rua A, 1' },
    });
    expect(parseTerminalLine('/loc abc', identity)).toMatchObject({ kind: 'invalid' });
    expect(parseTerminalLine('/loc -95 10', identity)).toMatchObject({ kind: 'invalid' });
    expect(parseTerminalLine('/contato 44 99876-5432', identity)).toMatchObject({
      message: { kind: 'contact', phone: '44 99876-5432' },
    });
    expect(parseTerminalLine('/figurinha', identity)).toMatchObject({
      message: { kind: 'unsupported' },
    });
    expect(parseTerminalLine('/SAIR', identity)).toEqual({ kind: 'quit' });
  });

  it('gives every line its own message id', () => {
    const a = parseTerminalLine('oi', identity);
    const b = parseTerminalLine('oi', identity);
    expect(a?.kind === 'message' && b?.kind === 'message').toBe(true);
    if (a?.kind === 'message' && b?.kind === 'message') {
      expect(a.message.messageId).not.toBe(b.message.messageId);
    }
  });

  it('runs a conversation from stdin lines to printed replies', async () => {
    const h = harness();
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const done = runTerminalChat(h.engine, { input, output, chatId: 'term-1' });
    input.write('oi\n');
    input.write('1\n');
    input.write('/loc -23.42 -51.93 Rua das Flores, 10\n');
    input.write('sim\n');
    input.write('/sair\n');
    input.write('this line is never read\n');
    await done;
    expect(printed).toContain('/loc LAT LNG');
    expect(printed).toContain('bot: Olá!');
    expect(printed).toContain('Onde você quer instalar a internet?');
    expect(printed).toContain('📍 Rua das Flores, 10');
    expect(printed).toContain('Temos fibra em 📍 Rua das Flores, 10');
    expect(h.sales.coverageCalls).toEqual([{ lat: -23.42, lng: -51.93 }]);
    expect(printed).not.toContain('never read');
  });

  it('prints messages the engine sends later, and formats locations', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await new TerminalSender(output).send('t1', [{ kind: 'text', text: 'Recebi o mapa' }]);
    expect(printed).toContain('bot: Recebi o mapa');
    expect(formatReplies([{ kind: 'location', point: { lat: 1, lng: 2 }, title: 'Casa' }])).toBe(
      'bot: 📍 Casa 1, 2',
    );
  });
});

describe('runLocalChat (alcance chat)', () => {
  it('serves FindME itself, so a point confirmed on the map continues the terminal session', async () => {
    const server = await startTestServer('sqlite');
    try {
      const box = await createBox(server.ctx.db, { name: 'CTO-T', lat: -23.4253, lng: -51.9386 });
      await server.ctx.network.boxesChanged([box.boxId]);
      const input = new PassThrough();
      const output = new PassThrough();
      let printed = '';
      output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const done = runLocalChat({ ctx: server.ctx, input, output });
      input.write('oi\n1\n');
      await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\/findme\/\S+/.test(printed)).toBe(true);
      const link = /http:\/\/127\.0\.0\.1:\d+\/findme\/\S+/.exec(printed)![0];
      const { origin, pathname } = new URL(link);
      const token = decodeURIComponent(pathname.split('/findme/')[1] ?? '');
      const res = await fetch(`${origin}/findme/api/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, lat: -23.4253, lng: -51.9386 }),
      });
      expect(res.status).toBe(200);
      await expect.poll(() => printed).toContain('Recebi a localização que você confirmou no mapa');
      expect(printed).toContain('Temos fibra em');
      input.end('/sair\n');
      expect(await done).toBe(0);
    } finally {
      await server.close();
    }
  });
});
