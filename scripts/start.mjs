// `npm start`: builds what is missing or stale (once, on a fresh clone or after an update), then
// runs the built server. Production can run `node dist/main.js serve` directly after `npm run build`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, isFresh } from './build-state.mjs';

if (!isFresh('server') || !isFresh('web')) {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--missing'], {
    stdio: 'inherit',
  });
}
await import(pathToFileURL(join(ROOT, 'dist', 'main.js')).href);
