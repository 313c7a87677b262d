import type { Config } from '../config.js';

/**
 * The Content-Security-Policy of a map page: tiles only from the configured hosts; scripts,
 * styles and calls only from here. A `framable` page leaves out frame-ancestors, so another
 * system may show it inside its own screen; any other page may not be framed.
 */
export function mapPageCsp(map: Config['map'], { framable }: { framable: boolean }): string {
  const tileHosts = [map.tileUrl, map.satelliteTileUrl].map(templateOrigin).join(' ');
  return [
    "default-src 'self'",
    `img-src 'self' data: blob: ${tileHosts}`,
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    ...(framable ? [] : ["frame-ancestors 'none'"]),
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** `https://{s}.tile.example.org/{z}/{x}/{y}.png` → `https://*.tile.example.org`. */
export function templateOrigin(template: string): string {
  const url = new URL(template.replace(/\{s\}/g, 'xsubx').replace(/\{[^}]*\}/g, '0'));
  return `${url.protocol}//${url.host.replace('xsubx', '*')}`;
}
