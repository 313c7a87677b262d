import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response (helmet): HSTS, nosniff, no Referer, same-origin resource and
 * opener policies, and a CSP that allows nothing (an API answer is never a document). Pages set
 * their own CSP (`mapPageCsp`, `inlinePageCsp`); a page another system frames calls `allowFraming`.
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

/**
 * The CSP of a self-contained page whose scripts and styles are inline: each inline `<script>` and
 * `<style>` is allowed by its SHA-256 hash, nothing else runs; calls only to this origin.
 */
export function inlinePageCsp(html: string): string {
  const hashes = (tag: 'script' | 'style') =>
    [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map(
        (m) =>
          `'sha256-${createHash('sha256')
            .update(m[1] ?? '')
            .digest('base64')}'`,
      )
      .join(' ');
  return [
    "default-src 'none'",
    `script-src ${hashes('script') || "'none'"}`,
    `style-src ${hashes('style') || "'none'"}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
