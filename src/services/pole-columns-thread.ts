// At a provider's size the pole network (1 000 000 poles, their spans and boxes: ~7 s of reads)
// loads in a worker thread, on the second core, while this thread loads the box index (start-up)
// or keeps answering requests (a full reload after a big import).
import type { PoleColumns } from '../viability/index.js';
import { startWorker } from '../worker-thread.js';

export function loadPoleColumnsInThread(url: string): Promise<PoleColumns> {
  const worker = startWorker(import.meta.url, 'pole-columns-worker', { url });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { columns?: PoleColumns; error?: string }) => {
      if (m.columns) resolve(m.columns);
      else reject(new Error(`loading the pole network failed: ${m.error ?? 'unknown error'}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the pole-network thread exited (${code}) before it answered`)),
    );
  });
}
