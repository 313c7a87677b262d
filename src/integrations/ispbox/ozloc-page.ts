/** What the OZloc page reads from the served HTML (`<script id="ozloc-config">`). */
export interface OzlocPageConfig {
  /** Sealed session token: the page sends it in the X-Ozloc-Session header. */
  session: string;
  expiresAt: string;
  point: { lat: number; lng: number };
  /** Search radius in metres (the integration's "OzMap Raio", else the system default). */
  radius: number;
  client: { code: string; name?: string; address?: string };
  /** When the point came from geocoding the address: what the geocoder found. */
  geocoded?: { label: string };
  tiles: {
    street: { url: string; attribution: string };
    satellite: { url: string; attribution: string };
  };
}

/** One viable box as `GET /ozloc/api/boxes` lists it. */
export interface OzlocBox {
  id: string;
  name: string;
  /** Metres from the client's point (straight line). */
  distance: number;
  freePorts: number;
  lat: number;
  lng: number;
}

export interface OzlocBoxesResponse {
  radius: number;
  boxes: OzlocBox[];
  /** Present when no box is viable. */
  message?: string;
}

export interface OzlocReserveResponse {
  /** False when this client code already held a reservation: that one is returned. */
  created: boolean;
  clientCode: string;
  boxId: string;
  boxName: string;
  splitterId: string;
  splitterName: string;
  port: number;
  expiresAt: string | null;
  message: string;
}

export const OZLOC_CONFIG_PLACEHOLDER = '<!--ozloc-config-->';
const ASSET_BASE_PLACEHOLDER = '__ASSET_BASE__';

/** Fills the built HTML: config as inert JSON (no `<` can close the tag), assets under `assetBase`. */
export function renderOzlocPage(
  template: string,
  config: OzlocPageConfig,
  assetBase: string,
): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return template
    .replace(
      OZLOC_CONFIG_PLACEHOLDER,
      `<script id="ozloc-config" type="application/json">${json}</script>`,
    )
    .replaceAll(`${ASSET_BASE_PLACEHOLDER}/`, `${assetBase}/`);
}

/** A plain pt-BR page for a visit that cannot go on (bad key, address not found...). */
export function ozlocProblemPage(title: string, body: string, next: string): string {
  return `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · OZloc</title>
<style>
  body { margin: 0; font: 18px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f4f6f8; }
  main { max-width: 32rem; margin: 0 auto; padding: 2.5rem 1.25rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; color: #0b3d75; }
  p { margin: 0 0 1rem; }
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(title)}</h1>
  <p>${escapeHtml(body)}</p>
  <p>${escapeHtml(next)}</p>
</main>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
