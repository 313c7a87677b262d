// The Geogrid sync's production code (client, planner, applier, runs) over a real server's
// context and the simulated Geogrid over HTTPS, for tests that run syncs and look at the
// inventory and the viability index afterwards.
import { GeogridLinks } from '../../src/integrations/geogrid/links.js';
import { GeogridSync, type GeogridSyncDeps } from '../../src/integrations/geogrid/sync.js';
import type { GeogridRunResult } from '../../src/integrations/geogrid/run.js';
import type { DbProvider } from '../../src/ozmap-model/db/client.js';
import type { GeogridElement } from '../../src/services/sync-settings.js';
import { GeogridSimulator } from './geogrid-simulator.js';
import { startTestServer, type TestServer } from './server.js';

export const POINT = { lat: -23.4253, lng: -51.9386 };

export interface GeogridHarness {
  server: TestServer;
  sim: GeogridSimulator;
  sync: GeogridSync;
  links: GeogridLinks;
  integration: string;
  projectId: string;
  webhookSecret: string;
  clock: { now: Date };
  run(options?: { dryRun?: boolean }): Promise<GeogridRunResult>;
  /** Free ports of a box in the viability answer around POINT (undefined: not viable). */
  availability(boxId: string, radius?: number): number | undefined;
  boxOf(itemId: number): Promise<string | null>;
  close(): Promise<void>;
}

export async function startGeogridHarness(
  provider: DbProvider,
  options: {
    elements?: GeogridElement[];
    integration?: string;
    env?: Record<string, string>;
    /** Client options on top of the test defaults (a fake sleep and clock for 429 waits). */
    client?: GeogridSyncDeps['client'];
    /** The sync's logger (default: the server's, silent in tests). */
    logger?: GeogridSyncDeps['logger'];
  } = {},
): Promise<GeogridHarness> {
  const clock = { now: new Date('2026-03-10T15:00:00Z') };
  const now = () => clock.now;
  const server = await startTestServer(provider, options.env ?? {}, { now });
  const sim = await GeogridSimulator.start();
  const integration = options.integration ?? 'rede';
  const { ctx } = server;
  await ctx.integrations.create({
    name: integration,
    kind: 'geogrid',
    url: sim.url,
    token: sim.token,
    settings: { elements: options.elements ?? ['service-splitters'] },
  });
  const links = new GeogridLinks(ctx.db, ctx.secrets, now);
  const linked = await links.link(integration, { projectName: 'Rede Geogrid' });
  const sync = new GeogridSync({
    db: ctx.db,
    network: ctx.network,
    integrations: ctx.integrations,
    runs: ctx.syncRuns,
    links,
    logger: options.logger ?? ctx.logger,
    now,
    owner: 'test',
    leaseMs: 60_000,
    client: { retries: 1, backoffMs: 1, timeoutMs: 5_000, ...options.client },
  });
  return {
    server,
    sim,
    sync,
    links,
    integration,
    projectId: linked.projectId,
    webhookSecret: linked.secret!,
    clock,
    run: (o = {}) => {
      // Each run starts a minute after the last (a frozen clock would make every run's start equal).
      clock.now = new Date(clock.now.getTime() + 60_000);
      return sync.run(integration, { trigger: 'cli', ...o });
    },
    availability(boxId, radius = 3000) {
      return ctx.viability.check({ ...POINT, radius }).boxes.find((b) => b.id === boxId)
        ?.availability;
    },
    async boxOf(itemId) {
      const row = await ctx.db.geogridItem.findUnique({
        where: { integration_itemId: { integration, itemId: String(itemId) } },
      });
      return row?.boxId ?? null;
    },
    async close() {
      await sim.close();
      await server.close();
    },
  };
}
