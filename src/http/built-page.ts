import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import type { Logger } from '../logger.js';

// A page Vite built into web/dist (see vite.config.ts), served by the app under its own prefix:
// its HTML carries a config placeholder and `__ASSET_BASE__/assets/...` URLs that the serving
// route fills in; its assets, shared by every page, are in web/dist/assets.

export const ASSET_BASE_PLACEHOLDER = '__ASSET_BASE__';

/** Every response of a customer-facing page: no Referer leaves, no sniffing, no indexing. */
export const pageSecurityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Robots-Tag', 'noindex');
  next();
};

/** The built assets; their names carry a content hash, so they are cached for a year. */
export function builtAssets(webDist: string): RequestHandler {
  return express.static(join(webDist, 'assets'), { index: false, immutable: true, maxAge: '365d' });
}

export interface BuiltPageOptions {
  webDist: string;
  /** The page's folder under web/ (and web/dist), e.g. "findme". */
  folder: string;
  /** The page's name in the log line when it is not built, e.g. "FindME". */
  name: string;
  logger: Logger;
}

/**
 * The built HTML, read once. Undefined (and logged) while the page is not built; read again on
 * the next call.
 */
export function builtPageTemplate({
  webDist,
  folder,
  name,
  logger,
}: BuiltPageOptions): () => Promise<string | undefined> {
  let template: string | undefined;
  return async () => {
    template ??= await readFile(join(webDist, folder, 'index.html'), 'utf8').catch(
      (err: unknown) => {
        logger.error({ err, webDist }, `${name} page is not built: run \`npm run build:web\``);
        return undefined;
      },
    );
    return template;
  };
}

export interface PageConfigSlot {
  /** The comment in the HTML that the config replaces, e.g. `<!--findme-config-->`. */
  placeholder: string;
  /** The id of the `<script type="application/json">` the page reads its config from. */
  scriptId: string;
}

/** Fills the built HTML: config as inert JSON (no `<` can close the tag), assets under `assetBase`. */
export function fillBuiltPage(
  template: string,
  slot: PageConfigSlot,
  config: unknown,
  assetBase: string,
): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return template
    .replace(
      slot.placeholder,
      `<script id="${slot.scriptId}" type="application/json">${json}</script>`,
    )
    .replaceAll(`${ASSET_BASE_PLACEHOLDER}/`, `${assetBase}/`);
}
