// `npm run build`: the web pages (Vite → web/dist) and the server (tsc → dist/), each stamped
// with a hash of its inputs. `--missing` builds only what is missing or stale (npm start).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, isFresh, writeStamp } from './build-state.mjs';

const onlyMissing = process.argv.includes('--missing');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const steps = {
  web: () =>
    execFileSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' }),
  server: () =>
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' }),
};

for (const [name, run] of Object.entries(steps)) {
  if (onlyMissing && isFresh(name)) continue;
  const started = Date.now();
  process.stderr.write(`alcance: building ${name}...\n`);
  run();
  writeStamp(name);
  process.stderr.write(
    `alcance: built ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
