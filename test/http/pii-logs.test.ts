import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { newId } from '../../src/ids.js';
import { safeError } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { captureLogger } from '../bot/capture-logger.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { api } from '../support/server.js';
import { network } from '../ozmap-api/fixtures.js';

// Issue 10 item 2: a whole server scenario with known personal data, including failures that
// reach the error handler with Prisma errors carrying the written values; the log of the run
// must hold none of them.
const PII = {
  name: 'Josefina Quaresma Tavares',
  document: '39053344705',
  phone: '44991234567',
  email: 'josefina.tavares@example.com',
};

describe.each(testProviders())('personal data in logs on %s', (provider) => {
  let database: TestDatabase;
  let running: RunningServer;
  let server: { url: string; apiKey: string; ctx: RunningServer['ctx'] };
  const captured = captureLogger('trace');

  beforeAll(async () => {
    database = await freshDatabase(provider);
    // Stand-ins for a bug that lets input reach Prisma unchecked: the errors carry the values.
    const buggy = Router();
    buggy.post('/invalid-write', async (req, res) => {
      const body = req.body as Record<string, unknown>;
      await running.ctx.db.ftthClient.create({
        data: { id: newId(), code: 'X', ...body, status: 'not-a-number' } as never,
      });
      res.json({});
    });
    buggy.post('/duplicate', async (req, res) => {
      const body = req.body as { document: string; name: string };
      const data = { code: body.document, name: body.name };
      await running.ctx.db.ftthClient.create({ data: { id: newId(), ...data } });
      await running.ctx.db.ftthClient.create({ data: { id: newId(), ...data } });
      res.json({});
    });
    buggy.post('/thrown', () => {
      throw new Error(`falhou para ${PII.email} e ${PII.phone}`);
    });
    running = await startServer(
      loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO_NETWORK: 'off',
        LOG_LEVEL: 'trace',
      }),
      captured.logger,
      { jobs: false, routers: [{ path: '/t', router: buggy }] },
    );
    const { key } = await createApiKey(running.ctx.db, 'test', 'generic', ['read', 'write', 'pii']);
    server = { url: running.url, apiKey: key, ctx: running.ctx };
  });
  afterAll(async () => {
    await running.close();
    await database.drop();
  });

  it('logs no CPF, phone, e-mail or name from a scenario with failures', async () => {
    const net = await network(server as never);
    // Normal traffic carrying the data: a reservation, a client, a prospect, a chat.
    const reserved = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      auto_connect: true,
      client: { code: 'JQ-1', ...PII },
    });
    expect(reserved.status).toBe(201);
    expect(
      (await api(server, 'POST', '/api/v2/prospects', { name: PII.name, phone: PII.phone })).status,
    ).toBe(201);
    // Bad input that names the data back to the caller (not to the log).
    const dup = await api(server, 'POST', '/api/v2/ftth-clients', { code: 'JQ-1', ...PII });
    expect(dup.status).toBe(409);
    const bad = await api(server, 'POST', '/api/v2/ftth-clients', {
      ...PII,
      code: 'JQ-2',
      email: 'x',
    });
    expect(bad.status).toBe(400);
    // Failures that reach the error handler with the data inside the error.
    for (const path of ['/t/invalid-write', '/t/duplicate', '/t/thrown']) {
      const res = await api(server, 'POST', path, PII);
      expect(res.status, path).toBe(500);
      expect(res.body).toMatchObject({ message: 'internal server error' });
    }
    // A chat conversation where the customer types the data.
    for (const text of ['oi', PII.name, PII.document, PII.phone, PII.email]) {
      await fetch(`${server.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: 'pii-session-1', text }),
      });
    }
    // Paths may carry data too: a client looked up by a CPF-like code.
    await api(server, 'GET', `/api/v2/properties/client/${PII.document}`);

    const log = captured.text();
    expect(log).toContain('unhandled error');
    expect(log).toContain('"path":"/t/duplicate"');
    for (const value of Object.values(PII)) expect(log).not.toContain(value);
    // Nor in other spellings (a formatted CPF, the phone without its area code).
    expect(log).not.toContain('390.533.447-05');
    expect(log).not.toContain('991234567');
  });

  it('describes a Prisma error by type, code and model, never by its message or arguments', async () => {
    const err = await running.ctx.db.ftthClient
      .create({ data: { id: newId(), code: PII.document, name: PII.name, status: 'x' } as never })
      .catch((e: unknown) => e);
    const text = JSON.stringify(safeError(err));
    expect(text).toContain('PrismaClientValidationError');
    for (const value of Object.values(PII)) expect(text).not.toContain(value);
  });
});
