import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response (helmet): HSTS, nosniff, no Referer, same-origin resource and
 * opener policies, and a CSP that allows nothing (an API answer is never a document). Pages set
 * their own CSP (`mapPageCsp`, the web chat's nonce); a page another system frames calls `allowFraming`.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** A page shown inside another system's screen (OZloc in Ispbox): no X-Frame-Options. */
export function allowFraming(res: Response): void {
  res.removeHeader('X-Frame-Options');
}
