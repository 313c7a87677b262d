import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { Config } from '../config.js';
import {
  builtAssets,
  builtPageTemplate,
  fillBuiltPage,
  pageSecurityHeaders,
} from '../http/built-page.js';
import { mapPageCsp } from '../http/map-page-csp.js';
import { renderProblemPage } from '../http/problem-page.js';
import type { Logger } from '../logger.js';

export const SALES_PATH = '/sales';
const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** What the workspace page reads from `<script id="sales-config">`. */
export interface SalesPageConfig {
  timeZone: string;
  /** In words: "de segunda a sexta, das 8h às 18h; sábado, das 8h às 12h". */
  businessHours: string;
  mapCenter: { lat: number; lng: number };
  tiles: {
    street: { url: string; attribution: string };
    satellite: { url: string; attribution: string };
  };
}

/** GET /sales: the built single-page workspace (every view is a #route of it) and its assets. */
export function salesPageRouter(o: {
  config: Config;
  logger: Logger;
  webDist?: string;
  pageConfig: SalesPageConfig;
}): Router {
  const router = Router();
  const webDist = o.webDist ?? DEFAULT_WEB_DIST;
  const csp = mapPageCsp(o.config.map, { framable: false });
  const template = builtPageTemplate({
    webDist,
    folder: 'sales',
    name: 'Sales workspace',
    logger: o.logger,
  });
  router.use(pageSecurityHeaders);
  router.use('/assets', builtAssets(webDist));
  router.get('/', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', csp);
    const html = await template();
    if (!html) {
      res
        .status(503)
        .type('html')
        .send(
          renderProblemPage({
            site: 'Alcance Vendas',
            width: '32rem',
            titleHtml: 'Página indisponível',
            paragraphsHtml: [
              'O painel de vendas está em manutenção agora.',
              'Tente de novo em alguns minutos.',
            ],
          }),
        );
      return;
    }
    // /sales → /sales/ so relative URLs resolve under the prefix.
    if (req.originalUrl === SALES_PATH) {
      res.redirect(301, `${SALES_PATH}/`);
      return;
    }
    res
      .type('html')
      .send(
        fillBuiltPage(
          html,
          { placeholder: '<!--sales-config-->', scriptId: 'sales-config' },
          o.pageConfig,
          SALES_PATH,
        ),
      );
  });
  return router;
}
