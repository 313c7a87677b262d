// Runs an SGP cycle in a worker thread, so a provider's 50 000-contract cycle (Prisma's query
// building, the planner, JSON) does not share the event loop with the requests: the viability
// index stays in this thread and is told of each page's changes before the next page starts.
import type { NetworkChanges } from '../../context.js';
import { levelName, type Logger } from '../../logger.js';
import { startWorker } from '../../worker-thread.js';
import type {
  CycleThreadInput,
  FromCycleThread,
  NetworkCall,
  ToCycleThread,
} from './cycle-messages.js';
import type { SgpCycleRequest, SgpCycleResult } from './cycle.js';

export interface MainThreadSide {
  network: NetworkChanges;
  logger: Logger;
}

function apply(network: NetworkChanges, call: NetworkCall): Promise<void> {
  switch (call.method) {
    case 'boxesChanged':
      return network.boxesChanged(call.ids);
    case 'polesChanged':
      return network.polesChanged(call.ids);
    case 'regionsChanged':
      return network.regionsChanged();
    case 'condosChanged':
      return network.condosChanged();
  }
}

/** A worker's log line (already masked there) written through this thread's logger. */
function relog(logger: Logger, line: string): void {
  try {
    const fields = JSON.parse(line) as Record<string, unknown>;
    const { level, msg } = fields;
    // The time and service fields are this thread's logger's to write.
    for (const own of ['level', 'msg', 'time', 'service']) delete fields[own];
    logger[levelName(level)](
      { ...fields, thread: 'sgp-cycle' },
      typeof msg === 'string' ? msg : '',
    );
  } catch {
    // not a log record: dropped
  }
}

export function runSgpCycleInThread(
  input: CycleThreadInput,
  req: Pick<SgpCycleRequest, 'signal' | 'onStart' | 'onPage'>,
  main: MainThreadSide,
): Promise<SgpCycleResult> {
  const worker = startWorker(import.meta.url, 'cycle-worker', input);
  const send = (message: ToCycleThread) => worker.postMessage(message);
  const abort = () => {
    const reason: unknown = req.signal?.reason;
    send({ type: 'abort', reason: reason instanceof Error ? reason.message : 'stopped' });
  };
  if (req.signal?.aborted) abort();
  else req.signal?.addEventListener('abort', abort, { once: true });
  return new Promise<SgpCycleResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      req.signal?.removeEventListener('abort', abort);
      fn();
    };
    worker.on('message', (message: FromCycleThread) => {
      switch (message.type) {
        case 'started':
          req.onStart?.(message.runId);
          break;
        case 'page':
          req.onPage?.(message.progress);
          break;
        case 'log':
          relog(main.logger, message.line);
          break;
        case 'network':
          apply(main.network, message.call)
            .catch((err: unknown) =>
              main.logger.warn({ err }, 'sgp cycle: a network change did not apply'),
            )
            .finally(() => send({ type: 'applied', id: message.id }));
          break;
        case 'done':
          settle(() => resolve(message.result));
          break;
        case 'crashed':
          settle(() => reject(new Error(`sgp cycle thread failed: ${message.message}`)));
          break;
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`sgp cycle thread exited (${code}) before it finished`))),
    );
  });
}
