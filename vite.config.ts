import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const web = (path: string) => fileURLToPath(new URL(`./web/${path}`, import.meta.url));

/**
 * Builds the customer-facing pages (multi-page: one entry per folder under web/) into web/dist.
 * Pages are served by the app under their own prefix (/findme/...), so the HTML carries the
 * placeholder `__ASSET_BASE__/assets/...` that the serving route fills in; asset references
 * inside JS and CSS are relative and need nothing.
 */
export default defineConfig({
  root: web(''),
  base: './',
  publicDir: false,
  resolve: {
    // Leaflet's package has no "module" field; use its ES build directly.
    alias: [
      {
        find: /^leaflet$/,
        replacement: fileURLToPath(
          new URL('./node_modules/leaflet/dist/leaflet-src.esm.js', import.meta.url),
        ),
      },
    ],
  },
  build: {
    outDir: web('dist'),
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 4096,
    rollupOptions: {
      input: {
        findme: web('findme/index.html'),
        ozloc: web('ozloc/index.html'),
        sales: web('sales/index.html'),
      },
    },
  },
  experimental: {
    renderBuiltUrl(filename, { hostType }) {
      return hostType === 'html' ? `__ASSET_BASE__/${filename}` : { relative: true };
    },
  },
});
