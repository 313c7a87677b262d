#!/usr/bin/env node
// Runs the built server (dist/) when it is up to date with the sources (`npm run build`);
// otherwise the TypeScript sources directly, compiled by tsx on load.
import { isFresh } from '../scripts/build-state.mjs';

if (isFresh('server')) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
