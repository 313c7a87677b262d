// What the SGP cycle's worker thread and the server's main thread tell each other.
import type { SgpClientOptions } from './client.js';
import type { PageProgress, SgpCycleRequest, SgpCycleResult } from './cycle.js';

export interface CycleThreadInput {
  dbUrl: string;
  statementTimeoutMs?: number;
  logLevel: string;
  /** The main thread's clock minus the wall clock (a test's fixed clock keeps its date). */
  clockOffsetMs: number;
  runs: { maxItemsPerRun: number; staleAfterMs: number };
  /** The SGP client's options that cross a thread (no functions: no logger, sleep, random). */
  client: Pick<
    SgpClientOptions,
    'baseUrl' | 'auth' | 'timeoutMs' | 'retries' | 'backoffMs' | 'pageSize'
  >;
  integration: string;
  owner: string;
  /** See SgpCycleDeps.restRatio. */
  restRatio?: number;
  request: Pick<SgpCycleRequest, 'steps' | 'dryRun' | 'trigger'>;
}

/** The network changes the cycle reports, by method (the index lives in the main thread). */
export type NetworkCall =
  | { method: 'boxesChanged'; ids: string[] }
  | { method: 'polesChanged'; ids: string[] | 'all' }
  | { method: 'regionsChanged' }
  | { method: 'condosChanged' };

export type FromCycleThread =
  | { type: 'started'; runId: string }
  | { type: 'page'; progress: PageProgress }
  | { type: 'network'; id: number; call: NetworkCall }
  | { type: 'log'; line: string }
  | { type: 'done'; result: SgpCycleResult }
  | { type: 'crashed'; message: string };

export type ToCycleThread = { type: 'abort'; reason: string } | { type: 'applied'; id: number };
