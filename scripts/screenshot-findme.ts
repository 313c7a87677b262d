// Writes docs/findme-phone.png (the FindME page on a 390×844 phone viewport, after an address
// search) and prints the gzipped size of the page's bundle for docs/benchmarks.md. Runs fully
// offline: the page is built with vite into a temp folder and served with the simulated geocoder
// and the local tile server from test/support. Usage: npx tsx scripts/screenshot-findme.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildWebInto } from '../test/support/build-web.js';
import { launchChromium } from '../test/support/chromium.js';
import { startTileServer } from '../test/support/fake-tiles.js';
import { startFindMeHarness } from '../test/support/findme-harness.js';

const OUT = fileURLToPath(new URL('../docs/findme-phone.png', import.meta.url));

const dist = mkdtempSync(join(tmpdir(), 'findme-shot-'));
await buildWebInto(dist);
const tiles = await startTileServer();
const harness = await startFindMeHarness({
  webDist: dist,
  map: {
    tileUrl: tiles.streetTemplate,
    satelliteTileUrl: tiles.satelliteTemplate,
    satelliteAttribution: 'Imagens simuladas (servidor de teste)',
  },
});
const browser = await launchChromium();
try {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'pt-BR',
  });
  const page = await context.newPage();
  await page.goto((await harness.links.create('whatsapp', '5544900000000@s.whatsapp.net')).url);
  await page.getByLabel('Buscar endereço').fill('Avenida Brasil Maringá');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: /^Avenida Brasil, 1500/ }).click();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLImageElement>('.leaflet-tile')).every(
      (t) => t.complete,
    ),
  );
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);

  let total = 0;
  for (const dir of ['findme', 'assets']) {
    for (const file of readdirSync(join(dist, dir))) {
      const bytes = readFileSync(join(dist, dir, file));
      const gz = gzipSync(bytes, { level: 9 }).length;
      total += gz;
      console.log(`${dir}/${file}\t${bytes.length} B\tgzip ${gz} B`);
    }
  }
  console.log(`total gzip ${total} B`);
} finally {
  await browser.close();
  await harness.close();
  await tiles.close();
  rmSync(dist, { recursive: true, force: true });
}
