// The pole-columns worker thread (see pole-columns-thread.ts): reads the pole network on a
// connection of its own and hands the columns back, their arrays moved rather than copied.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPoleColumns } from './pole-loader.js';

const port = parentPort!;
try {
  const columns = await loadPoleColumns((workerData as { url: string }).url);
  const buffers = [
    columns.lat,
    columns.lng,
    columns.spanFrom,
    columns.spanTo,
    columns.spanLength,
    columns.boxPole,
    columns.boxMaxDrop,
  ].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
  port.postMessage({ columns }, buffers);
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
