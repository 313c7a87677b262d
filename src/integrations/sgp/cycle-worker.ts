// The SGP cycle's worker thread (see cycle-thread.ts): its own database client and SGP client,
// the cycle as in-process, every network change sent to the main thread and awaited there (the
// next page starts only once the viability index has it), log lines forwarded.
import { setPriority } from 'node:os';
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { NetworkChanges } from '../../context.js';
import { createLogger } from '../../logger.js';
import { createDb, providerOf } from '../../ozmap-model/db/client.js';
import { SyncRunStore } from '../sync-runs/store.js';
import { SgpClient } from './client.js';
import type {
  CycleThreadInput,
  FromCycleThread,
  NetworkCall,
  ToCycleThread,
} from './cycle-messages.js';
import { runSgpCycle } from './cycle.js';

const port = parentPort!;
const input = workerData as CycleThreadInput;
const post = (message: FromCycleThread) => port.postMessage(message);

// On Linux a thread has a nice value of its own: the requests' thread goes first. On PostgreSQL
// the cycle takes only what the requests leave (19, the lowest). On SQLite not quite that low: the
// requests thread's own writes (a reservation, a key's last use, a job's lease) wait synchronously
// for the write lock this thread holds through each page, and a starved holder stalls them.
try {
  setPriority(providerOf(input.dbUrl) === 'sqlite' ? 10 : 19);
} catch {
  // not allowed here: same priority
}

const stopping = new AbortController();
const applied = new Map<number, () => void>();
let calls = 0;
port.on('message', (message: ToCycleThread) => {
  if (message.type === 'abort') stopping.abort(new Error(message.reason));
  else applied.get(message.id)?.();
});

function forward(call: NetworkCall): Promise<void> {
  const id = ++calls;
  return new Promise((resolve) => {
    applied.set(id, () => {
      applied.delete(id);
      resolve();
    });
    post({ type: 'network', id, call });
  });
}

const network: NetworkChanges = {
  boxesChanged: (ids) => forward({ method: 'boxesChanged', ids: [...ids] }),
  polesChanged: (ids) => forward({ method: 'polesChanged', ids: ids === 'all' ? 'all' : [...ids] }),
  regionsChanged: () => forward({ method: 'regionsChanged' }),
  condosChanged: () => forward({ method: 'condosChanged' }),
};

const lines = new Writable({
  write(chunk: Buffer, _encoding, done) {
    post({ type: 'log', line: chunk.toString() });
    done();
  },
});
const logger = createLogger(input.logLevel, lines);
const now = () => new Date(Date.now() + input.clockOffsetMs);
const db = createDb(input.dbUrl, { statementTimeoutMs: input.statementTimeoutMs });
const sgp = new SgpClient({
  ...input.client,
  logger: logger.child({ integration: input.integration }),
});
try {
  const result = await runSgpCycle(
    {
      db,
      network,
      sgp,
      runs: new SyncRunStore(db, { now, ...input.runs }),
      logger,
      now,
      integration: input.integration,
      owner: input.owner,
      exclusive: true,
      restRatio: input.restRatio,
    },
    {
      ...input.request,
      signal: stopping.signal,
      onStart: (runId) => post({ type: 'started', runId }),
      onPage: (progress) => post({ type: 'page', progress }),
    },
  );
  post({ type: 'done', result });
} catch (err) {
  post({ type: 'crashed', message: err instanceof Error ? err.message : String(err) });
} finally {
  sgp.close();
  await db.$disconnect();
  port.close();
}
