import { fileURLToPath } from 'node:url';

/** Builds the web pages with the repository's vite.config.ts into `outDir` (a temp folder). */
export async function buildWebInto(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}
