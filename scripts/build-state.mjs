// Which production build outputs are missing or stale. A build records a hash of its inputs in a
// stamp file; `npm start` and bin/alcance.js compare it with the sources, so a fresh clone builds
// once, a `git pull` rebuilds what changed, and nothing is rebuilt at an ordinary boot.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What each output is built from; the stamp lives inside the output. */
export const TARGETS = {
  server: {
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    stamp: 'dist/.build-stamp',
    entry: 'dist/main.js',
  },
  web: {
    inputs: ['web', 'vite.config.ts', 'package-lock.json'],
    stamp: 'web/dist/.build-stamp',
    entry: 'web/dist/findme/index.html',
    ignore: ['web/dist'],
  },
};

function* files(path, ignore) {
  if (ignore.some((i) => path === i)) return;
  const full = join(ROOT, path);
  if (!existsSync(full)) return;
  if (!statSync(full).isDirectory()) {
    yield path;
    return;
  }
  for (const name of readdirSync(full).sort()) yield* files(join(path, name), ignore);
}

/** A hash of the target's inputs: paths and contents. */
export function inputHash(name) {
  const target = TARGETS[name];
  const hash = createHash('sha256');
  for (const input of target.inputs)
    for (const file of files(input, target.ignore ?? [])) {
      hash.update(relative(ROOT, join(ROOT, file)));
      hash.update('\0');
      hash.update(readFileSync(join(ROOT, file)));
      hash.update('\0');
    }
  return hash.digest('hex');
}

/** True when the output exists and was built from the current inputs. */
export function isFresh(name) {
  const target = TARGETS[name];
  const stamp = join(ROOT, target.stamp);
  if (!existsSync(stamp) || !existsSync(join(ROOT, target.entry))) return false;
  return readFileSync(stamp, 'utf8').trim() === inputHash(name);
}

export function writeStamp(name) {
  writeFileSync(join(ROOT, TARGETS[name].stamp), `${inputHash(name)}\n`);
}
