import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SgpClient, type SgpClientOptions } from '../../src/integrations/sgp/client.js';
import { SgpError } from '../../src/integrations/sgp/errors.js';
import { SgpSimulator } from '../support/sgp-simulator.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(p: Promise<unknown>): Promise<SgpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SgpError);
  return err as SgpError;
}

describe('SGP client against the simulated SGP', () => {
  let sim: SgpSimulator;
  const clients: SgpClient[] = [];
  const waits: number[] = [];

  function client(overrides: Partial<SgpClientOptions> = {}): SgpClient {
    const c = new SgpClient({
      baseUrl: sim.url,
      auth: { kind: 'token', token: sim.token, app: sim.app },
      timeoutMs: 2_000,
      retries: 2,
      backoffMs: 100,
      // Backoff is recorded, not waited for.
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      ...overrides,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    sim = await SgpSimulator.start();
    for (let i = 0; i < 250; i++) {
      sim.addContract({ name: `Cliente ${i}`, cto: `CTO-${i % 7}`, port: (i % 8) + 1 });
    }
  });
  afterEach(() => {
    sim.clearFaults();
    sim.blocked = false;
    sim.requests.length = 0;
    waits.length = 0;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await sim.close();
  });

  it('pages through the contract feed 100 at a time until paginacao.total', async () => {
    const pages = await collect(client().contractPages());
    expect(pages.map((p) => [p.offset, p.customers, p.total])).toEqual([
      [0, 100, 250],
      [100, 100, 250],
      [200, 50, 250],
    ]);
    expect(pages.flatMap((p) => p.contracts)).toHaveLength(250);
    const sent = sim.requestsTo('/api/ura/clientes/');
    expect(sent.map((r) => [r.params.offset, r.params.limit])).toEqual([
      ['0', '100'],
      ['100', '100'],
      ['200', '100'],
    ]);
    expect(sent[0]?.params).toMatchObject({ exibir_conexao: '1', omitir_titulos: '1' });
  });

  it('sends token and app in the body, never in the URL, also on GET', async () => {
    const c = client();
    await collect(c.contractPages({ status: 1 }));
    expect(await c.placement('1000')).toMatchObject({ ctoName: 'CTO-0', port: 1 });
    expect(sim.requests.length).toBeGreaterThan(1);
    for (const r of sim.requests) {
      expect(r).toMatchObject({ auth: 'token', credentialsIn: 'body', status: 200 });
      expect(Object.keys(r.query)).toEqual([]);
    }
    expect(sim.requests.some((r) => r.method === 'GET')).toBe(true);
  });

  it('sends a date window as its inicio/fim pair, which SGP insists on', async () => {
    const c = client();
    const window = { field: 'data_alteracao' as const, from: '2026-03-01', to: '2026-03-02' };
    await collect(c.contractPages({ window }));
    expect(sim.requests[0]?.params).toMatchObject({
      data_alteracao_inicio: '2026-03-01',
      data_alteracao_fim: '2026-03-02',
    });
    // The simulator holds SGP's rule: half a pair is a 400 {erro}, which the client reports.
    const bad = await failure(
      collect(c.contractPages({ window: { ...window, from: '01/03/2026' } })),
    );
    expect(bad.code).toBe('sgp_bad_request');
    expect(bad.message).toMatch(/data inválida/);
    const res = await fetch(`${sim.url}/api/ura/clientes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: sim.token, app: sim.app, data_alteracao_fim: '2026-03-02' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      erro: '[data_alteracao_inicio] obrigatória caso [data_alteracao_fim] informada',
    });
  });

  it('tells wrong credentials from a blocked token, without echoing either', async () => {
    const wrong = await failure(
      collect(client({ auth: { kind: 'token', token: 'nope', app: sim.app } }).contractPages()),
    );
    expect(wrong.code).toBe('sgp_wrong_credentials');
    expect(wrong.message).toMatch(/case-sensitive/);
    // The app name is case-sensitive.
    const lower = await failure(
      collect(
        client({
          auth: { kind: 'token', token: sim.token, app: sim.app.toLowerCase() },
        }).contractPages(),
      ),
    );
    expect(lower.code).toBe('sgp_wrong_credentials');
    sim.blocked = true;
    const blocked = await failure(collect(client().contractPages()));
    expect(blocked.code).toBe('sgp_token_blocked');
    expect(blocked.message).toMatch(/allowed hosts/);
    for (const e of [wrong, lower, blocked]) {
      expect(e.message).not.toContain(sim.token);
      expect(e.message).not.toContain('nope');
    }
    // Not retried: a refusal will not change by asking again.
    expect(waits).toEqual([]);
  });

  it('authenticates with HTTP Basic as the alternative', async () => {
    sim.users.set('integracao', 's3nh@:forte');
    const ok = client({ auth: { kind: 'basic', user: 'integracao', password: 's3nh@:forte' } });
    expect((await collect(ok.contractPages())).length).toBe(3);
    expect(sim.requests[0]).toMatchObject({ auth: 'basic', credentialsIn: 'header' });
    expect(sim.requests[0]?.params).not.toHaveProperty('token');
    const bad = await failure(
      collect(
        client({ auth: { kind: 'basic', user: 'integracao', password: 'x' } }).contractPages(),
      ),
    );
    expect(bad.code).toBe('sgp_wrong_credentials');
  });

  it('retries 5xx with growing backoff, then reads the page', async () => {
    sim.inject({ kind: 'status', status: 502 }, { path: '/api/ura/clientes/', times: 2, after: 1 });
    const pages = await collect(client().contractPages());
    expect(pages).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);
    expect(sim.requestsTo('/api/ura/clientes/').map((r) => r.status)).toEqual([
      200, 502, 502, 200, 200,
    ]);
  });

  it('gives up with a clear reason when SGP keeps failing', async () => {
    sim.inject({ kind: 'status', status: 500 }, { times: 10 });
    const err = await failure(collect(client().contractPages()));
    expect(err.code).toBe('sgp_unavailable');
    expect(err.message).toMatch(/SGP answered 500 to api\/ura\/clientes\//);
    expect(sim.requests).toHaveLength(3);
  });

  it('retries a connection dropped in the middle of a page', async () => {
    sim.inject({ kind: 'drop' }, { path: '/api/ura/clientes/', after: 1 });
    const pages = await collect(client().contractPages());
    expect(pages.flatMap((p) => p.contracts)).toHaveLength(250);
    expect(waits).toHaveLength(1);
  });

  it('times out a slow page and retries it', async () => {
    sim.inject({ kind: 'slow', delayMs: 1_500 }, { path: '/api/ura/clientes/' });
    const pages = await collect(client({ timeoutMs: 300 }).contractPages());
    expect(pages).toHaveLength(3);
    expect(waits).toHaveLength(1);
    sim.inject({ kind: 'slow', delayMs: 1_500 }, { times: 3 });
    const err = await failure(collect(client({ timeoutMs: 300 }).contractPages()));
    expect(err.code).toBe('sgp_timeout');
    expect(err.message).toMatch(/did not answer api\/ura\/clientes\/ within/);
  });

  it('refuses garbage and a wrong URL with a message that says what to check', async () => {
    sim.inject({ kind: 'garbage' });
    const html = await failure(collect(client().contractPages()));
    expect(html.code).toBe('sgp_garbage');
    expect(html.message).toMatch(/not JSON \(text\/html\)/);
    sim.inject({ kind: 'garbage', body: '{"resultado": []}', contentType: 'application/json' });
    const shape = await failure(collect(client().contractPages()));
    expect(shape.message).toMatch(/unexpected shape \(the answer has no "clientes" list\)/);
    const lost = await failure(collect(client({ baseUrl: `${sim.url}/sgp/` }).contractPages()));
    expect(lost.code).toBe('sgp_not_found');
    expect(lost.message).toMatch(/check the URL/);
  });

  it('reports an unreachable SGP after its retries', async () => {
    const closed = await SgpSimulator.start();
    const url = closed.url;
    await closed.close();
    const err = await failure(collect(client({ baseUrl: url }).contractPages()));
    expect(err.code).toBe('sgp_unavailable');
    expect(err.message).toMatch(/cannot reach SGP at 127\.0\.0\.1:\d+ .*connection refused/);
    expect(waits).toHaveLength(2);
  });

  it('stops waiting when the cycle is aborted', async () => {
    sim.inject({ kind: 'slow', delayMs: 1_500 });
    const controller = new AbortController();
    const pending = collect(client({ timeoutMs: 5_000 }).contractPages({}, controller.signal));
    setTimeout(() => controller.abort(new Error('stopping')), 50);
    await expect(pending).rejects.toThrow('stopping');
  });
});
