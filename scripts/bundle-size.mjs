// Builds the web pages and prints each page's gzipped size (its HTML plus every JS and CSS file
// it loads): `node scripts/bundle-size.mjs`. Recorded in docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
const dist = 'web/dist';
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;

function assetsOf(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /(?:__ASSET_BASE__\/|\.\/|\.\.\/)?(assets\/[\w.-]+\.(?:js|css))/g,
  )) {
    assetsOf(join(dist, m[1]), seen);
  }
  return seen;
}

console.log('| page | files | raw kB | gzipped kB |\n|---|---:|---:|---:|');
for (const page of ['findme', 'ozloc']) {
  const files = [...assetsOf(join(dist, page, 'index.html'))];
  const raw = files.reduce((n, f) => n + readFileSync(f).length, 0);
  const zipped = files.reduce((n, f) => n + gz(f), 0);
  console.log(
    `| ${page} | ${files.length} | ${(raw / 1024).toFixed(1)} | ${(zipped / 1024).toFixed(1)} |`,
  );
}
