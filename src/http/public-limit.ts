import { Router, type Request, type RequestHandler } from 'express';
import type { RateLimiter } from './rate-limit.js';
import { clientIp } from './rate-limit.js';
import { escapeHtml, renderProblemPage } from './problem-page.js';

/** The pt-BR text of a 429 on a customer-facing surface. */
export function tooManyMessage(seconds: number): string {
  return `Muitas solicitações seguidas. Espere ${seconds} s e tente de novo.`;
}

/**
 * Counts one under `keyOf(req)` per request; past the limit answers 429 with Retry-After, in
 * pt-BR: a page for a browser opening a page, `{message}` for the page's own calls.
 */
export function publicRateLimit(
  limiter: RateLimiter,
  site: string,
  keyOf: (req: Request) => string | undefined = clientIp,
): RequestHandler {
  return async (req, res, next) => {
    const key = keyOf(req);
    const wait = key === undefined ? undefined : await limiter.take(key);
    if (wait === undefined) return next();
    res.setHeader('Retry-After', String(wait));
    res.setHeader('Cache-Control', 'no-store');
    const message = tooManyMessage(wait);
    if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
      res
        .status(429)
        .type('html')
        .send(
          renderProblemPage({
            site,
            width: '30rem',
            titleHtml: 'Muitas solicitações',
            paragraphsHtml: [escapeHtml(message)],
          }),
        );
      return;
    }
    res.status(429).json({ message });
  };
}

/** A router that only applies `handlers` and lets the request go on to the surface's own router. */
export function guardRouter(...handlers: RequestHandler[]): Router {
  const router = Router();
  router.use(...handlers);
  return router;
}
