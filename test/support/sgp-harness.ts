// The SGP sync's production code (client, cycle, applier) over a real server's context and a
// simulated SGP, for tests that run cycles and look at the inventory afterwards.
import { SgpClient } from '../../src/integrations/sgp/client.js';
import {
  runSgpCycle,
  type SgpCycleDeps,
  type SgpCycleRequest,
} from '../../src/integrations/sgp/cycle.js';
import type { SgpStep } from '../../src/integrations/sgp/planner.js';
import { SyncRunStore } from '../../src/integrations/sync-runs/store.js';
import type { Db, DbProvider } from '../../src/ozmap-model/db/client.js';
import { SgpSimulator } from './sgp-simulator.js';
import { startTestServer, type TestServer } from './server.js';

export interface SgpHarness {
  server: TestServer;
  sim: SgpSimulator;
  client: SgpClient;
  runs: SyncRunStore;
  /** The clock the cycles (and the server's services) read. */
  clock: { now: Date };
  cycle(
    steps: SgpStep[],
    options?: Partial<Omit<SgpCycleRequest, 'steps'>> & {
      db?: Db;
      pacing?: Pick<SgpCycleDeps, 'restRatio' | 'rest'>;
    },
  ): ReturnType<typeof runSgpCycle>;
  close(): Promise<void>;
}

export async function startSgpHarness(
  provider: DbProvider,
  options: { integration?: string; clientTimeoutMs?: number; pageSize?: number } = {},
): Promise<SgpHarness> {
  const clock = { now: new Date('2026-03-10T15:00:00Z') };
  const now = () => clock.now;
  const server = await startTestServer(provider, {}, { now });
  const sim = await SgpSimulator.start();
  sim.today = '2026-03-10';
  const client = new SgpClient({
    baseUrl: sim.url,
    auth: { kind: 'token', token: sim.token, app: sim.app },
    timeoutMs: options.clientTimeoutMs ?? 5_000,
    retries: 1,
    backoffMs: 1,
    pageSize: options.pageSize,
  });
  const runs = new SyncRunStore(server.ctx.db, { now });
  const integration = options.integration ?? 'erp';
  return {
    server,
    sim,
    client,
    runs,
    clock,
    cycle: (steps, { db, pacing, ...opts } = {}) =>
      runSgpCycle(
        {
          db: db ?? server.ctx.db,
          network: server.ctx.network,
          sgp: client,
          runs,
          logger: server.ctx.logger,
          now,
          integration,
          ...pacing,
        },
        { trigger: 'cli', ...opts, steps },
      ),
    async close() {
      client.close();
      await sim.close();
      await server.close();
    },
  };
}

/** Registers the simulated SGP as the server's SGP integration `name`. */
export async function registerSgp(server: TestServer, sim: SgpSimulator, name = 'erp') {
  await server.ctx.integrations.create({
    name,
    kind: 'sgp',
    url: sim.url,
    token: sim.token,
    settings: { app: sim.app },
  });
}
