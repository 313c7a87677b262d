import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (without extension) that lies beside the module at `from`
 * (its `import.meta.url`). From built output it is the `.js` file; run from the TypeScript
 * sources (tests, benchmarks) the worker loads its `.ts` file through tsx, resolved from the
 * working directory (the project's own: tests and benchmarks run there).
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const tsx = 'tsx/esm/api';
  const entry = new URL(`./${name}.ts`, from).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData });
}
