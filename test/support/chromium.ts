import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/**
 * Where browser tests save their screenshots: docs/ when UPDATE_SCREENSHOTS=1 (to refresh the
 * ones the docs show), else a temporary folder, so a test run leaves the working tree as it was.
 */
export function screenshotDir(): string {
  const dir = process.env.UPDATE_SCREENSHOTS
    ? fileURLToPath(new URL('../../docs/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'alcance-shots-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with no background traffic (tests talk only to 127.0.0.1). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Web Mercator world pixel of a point at `zoom` (what Leaflet uses for EPSG:3857). */
export function worldPixel(
  p: { lat: number; lng: number },
  zoom: number,
): { x: number; y: number } {
  const scale = 256 * 2 ** zoom;
  const sin = Math.sin((p.lat * Math.PI) / 180);
  return {
    x: ((p.lng + 180) / 360) * scale,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
  };
}
