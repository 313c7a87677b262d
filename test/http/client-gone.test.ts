import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express, { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientGoneError } from '../../src/errors.js';
import { cancelStatementsOnClientGone, clientGone } from '../../src/http/client-gone.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { newId } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { parseListQuery } from '../../src/integrations/ozmap-api/query/list-query.js';
import { runList } from '../../src/integrations/ozmap-api/query/run-list.js';
import { boxes } from '../../src/integrations/ozmap-api/resources/boxes.js';
import type { ResourceDef } from '../../src/integrations/ozmap-api/resources/resource.js';
import { OPEN_VIEW } from '../../src/integrations/ozmap-api/resources/view.js';
import { testProviders } from '../support/db.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Issue 10 item 1: work left for a client that went away is dropped. A list whose filter is
// checked in memory reads its candidates 500 at a time; once the client is gone no further page
// is read (a statement already running is bounded by DATABASE_STATEMENT_TIMEOUT_MS).
const BOXES = 1_200; // three pages of 500
const CENTRE = { lat: -23.4253, lng: -51.9386 };

describe.each(testProviders())('a list for a client gone on %s', (provider) => {
  let server: TestServer;
  const query = parseListQuery(
    {
      filter: JSON.stringify([
        { property: 'coords', operator: 'near', value: { ...CENTRE, radius: 5000 } },
      ]),
    },
    undefined,
    boxes.fields,
    boxes.populatable,
  );

  /** The boxes resource, counting the pages it reads and calling `onPage` after each. */
  function counted(onPage: (n: number) => void): { def: ResourceDef; pages: () => number } {
    let pages = 0;
    const def: ResourceDef = {
      ...boxes,
      findMany: async (db, args) => {
        const rows = await boxes.findMany(db, args);
        onPage(++pages);
        return rows;
      },
    };
    return { def, pages: () => pages };
  }

  beforeAll(async () => {
    server = await startTestServer(provider);
    const projectId = newId();
    await server.ctx.db.project.create({ data: { id: projectId, name: 'P' } });
    const rows = Array.from({ length: BOXES }, (_, i) => ({
      id: newId(),
      projectId,
      name: `CTO-${i}`,
      lat: CENTRE.lat + (i % 40) * 0.0002,
      lng: CENTRE.lng + Math.floor(i / 40) * 0.0002,
    }));
    for (let i = 0; i < rows.length; i += 200) {
      await server.ctx.db.box.createMany({ data: rows.slice(i, i + 200) });
    }
  });
  afterAll(async () => server?.close());

  it('reads every page for a client still there', async () => {
    const { def, pages } = counted(() => undefined);
    const answer = await runList(server.ctx, def, query, OPEN_VIEW, new AbortController().signal);
    expect(answer.total).toBe(BOXES);
    expect(pages()).toBe(3);
  });

  it('stops after the page being read when the client goes away', async () => {
    const controller = new AbortController();
    const { def, pages } = counted((n) => {
      if (n === 1) controller.abort(new ClientGoneError());
    });
    await expect(runList(server.ctx, def, query, OPEN_VIEW, controller.signal)).rejects.toThrow(
      ClientGoneError,
    );
    expect(pages()).toBe(1);
  });
});

describe('clientGone', () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line) as { level: number; msg: string });
        }
        done();
      },
    }),
  );
  const seen: Array<{ aborted: boolean; reason: unknown }> = [];
  let started: () => void = () => undefined;
  let url = '';
  const app = express();
  app.get('/slow', async (req, res) => {
    const signal = clientGone(req, res);
    started();
    // Waits for the client to leave, at most 5 s (bounded), then fails as a paged read would.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    seen.push({ aborted: signal.aborted, reason: signal.reason });
    signal.throwIfAborted();
    res.json({ late: true });
  });
  app.get('/fast', (req, res) => {
    const signal = clientGone(req, res);
    res.json({ ok: true });
    res.once('close', () => setImmediate(() => seen.push({ aborted: signal.aborted, reason: 0 })));
  });
  app.use(errorHandler(logger));
  let listening: Server | undefined;

  beforeAll(async () => {
    listening = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => (listening ? listening.close(() => resolve()) : resolve())),
  );

  it('aborts with a ClientGoneError when the client closes first, logged as dropped work', async () => {
    seen.length = 0;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const req = request(`${url}/slow`);
    req.on('error', () => undefined);
    req.end();
    await begun;
    req.destroy();
    await expect.poll(() => seen.length, { timeout: 4_000 }).toBe(1);
    expect(seen[0]).toMatchObject({ aborted: true });
    expect(seen[0]!.reason).toBeInstanceOf(ClientGoneError);
    await expect.poll(() => lines.some((l) => l.msg === 'client gone: work dropped')).toBe(true);
    expect(lines.some((l) => l.msg === 'unhandled error')).toBe(false);
  });

  it('does not abort once the answer is complete', async () => {
    seen.length = 0;
    const res = await fetch(`${url}/fast`);
    expect(await res.json()).toEqual({ ok: true });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]!.aborted).toBe(false);
  });
});

describe.skipIf(!process.env.TEST_POSTGRES_URL)('PostgreSQL statements of a client gone', () => {
  let server: TestServer;
  const probe = (tag: string) =>
    server.ctx.db.$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%${tag}%' AND query NOT LIKE '%pg_stat_activity%'`,
    );
  const running = async (tag: string) => Number((await probe(tag))[0]!.n);

  beforeAll(async () => {
    const slow = Router();
    // The API router's own middleware, around a statement that would run 20 s.
    slow.use((req, res, next) => cancelStatementsOnClientGone(server.ctx.db)(req, res, next));
    slow.get('/sleep/:tag/:seconds', async (req, res) => {
      await server.ctx.db.$queryRawUnsafe(
        `SELECT 1 AS one FROM pg_sleep(${Number(req.params.seconds)}) /* ${req.params.tag} */`,
      );
      res.json({ slept: true });
    });
    server = await startTestServer(
      'postgresql',
      { DATABASE_STATEMENT_TIMEOUT_MS: '60000' },
      { routers: [{ path: '/t', router: slow }] },
    );
  });
  afterAll(async () => server?.close());

  it('cancels the statement when the client disconnects; others run on', async () => {
    const leaving = new AbortController();
    const gone = fetch(`${server.url}/t/sleep/probe_gone/20`, { signal: leaving.signal }).catch(
      () => 'aborted',
    );
    // A client that stays, meanwhile: its statement is not touched.
    const staying = fetch(`${server.url}/t/sleep/probe_stays/2`).then((r) => r.status);
    await expect.poll(() => running('probe_gone'), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => running('probe_stays'), { timeout: 10_000 }).toBe(1);
    const abortedAt = Date.now();
    leaving.abort();
    expect(await gone).toBe('aborted');
    await expect.poll(() => running('probe_gone'), { timeout: 5_000, interval: 50 }).toBe(0);
    // Gone well before its 20 s (and its 60 s statement timeout).
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(await staying).toBe(200);
    // The pool goes on.
    expect((await fetch(`${server.url}/t/sleep/probe_after/0`)).status).toBe(200);
  });
});
