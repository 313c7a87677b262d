// The measured outcome of issue 11: 60+ scripted customer conversations through the real engine
// and services; each must reach the end it names, with no unanswered message and no loop.
// `REPORT=1 npx vitest run test/conversations` prints the table recorded in docs/conversation.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoNetwork } from '../../src/ozmap-model/demo-network.js';
import { testProviders } from '../support/db.js';
import { startFakeGeocoder, type FakeGeocoder } from '../support/fake-geocoder.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { runScripts, summarise, type Outcome } from './run.js';
import { SCRIPTS } from './scripts.js';

describe.each(testProviders())('the scripted conversation set on %s', (provider) => {
  let geocoder: FakeGeocoder;
  let server: TestServer;
  let outcomes: Outcome[];

  beforeAll(async () => {
    geocoder = await startFakeGeocoder();
    server = await startTestServer(provider, {
      GEOCODER_URL: geocoder.url,
      GEOCODER_MIN_INTERVAL_MS: '0',
    });
    // The demo network (Maringá), written as the serve command does on an empty database.
    await seedDemoNetwork(server.ctx.db, 42);
    const boxes = await server.ctx.db.box.findMany({ select: { id: true } });
    await server.ctx.network.boxesChanged(boxes.map((b) => b.id));
    await server.ctx.network.regionsChanged();
    outcomes = await runScripts(server.ctx, SCRIPTS);
  }, 240_000);
  afterAll(async () => {
    await server.close();
    await geocoder.close();
  });

  it('has at least 60 conversations', () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(SCRIPTS.map((s) => s.name))('%s', (name) => {
    const o = outcomes.find((x) => x.name === name)!;
    expect(o.problems, o.transcript.join('\n')).toEqual([]);
    expect(o.end, o.transcript.join('\n')).toBe(o.expected);
  });

  it('records what sales needs: addresses, out-of-area flags, one reservation per CPF', async () => {
    const db = server.ctx.db;
    const reservations = await db.ftthClient.findMany({
      where: { reservedBy: { startsWith: 'chatbot:' } },
      include: { property: true },
    });
    expect(reservations.length).toBeGreaterThan(30);
    for (const r of reservations) expect(r.property?.address, r.code).toBeTruthy();
    const documents = reservations.map((r) => r.document);
    expect(new Set(documents).size).toBe(documents.length);
    const prospects = await db.prospect.findMany({ where: { source: { startsWith: 'chatbot:' } } });
    for (const p of prospects) expect(p.address, p.name ?? '').toBeTruthy();
    expect(
      prospects
        .filter((p) => p.outOfArea)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['Marta Souza', 'Renato Alves']);
    const summary = summarise(outcomes);
    if (process.env.REPORT) console.log(JSON.stringify(summary, null, 2));
    expect(summary.shares['dead-end']).toBeUndefined();
  });
});
