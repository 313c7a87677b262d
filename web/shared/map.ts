// Pieces both map pages share (FindME and OZloc): the config the server injects, the Leaflet map
// with its satellite/street toggle, the red pin, and the end of the page's time.
import * as L from 'leaflet';

export interface TileSource {
  url: string;
  attribution: string;
}

export interface MapTiles {
  street: TileSource;
  satellite: TileSource;
}

export const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * The config the server put in `<script id="{scriptId}" type="application/json">`. Without it the
 * page shows `fatalHtml` instead and stops.
 */
export function readPageConfig<T>(scriptId: string, fatalHtml: string, error: string): T {
  const text = document.getElementById(scriptId)?.textContent;
  if (!text) {
    document.body.innerHTML = fatalHtml;
    throw new Error(error);
  }
  return JSON.parse(text) as T;
}

export interface MapSetup {
  center: L.LatLngTuple;
  zoom: number;
  tiles: MapTiles;
  /** Switches between satellite (shown first) and street tiles. */
  layerButton: HTMLButtonElement;
  options?: L.MapOptions;
}

/** The Leaflet map in #map, satellite first, kept in step with the size of its container. */
export function createMap(setup: MapSetup): L.Map {
  const map = L.map('map', { zoomControl: true, ...setup.options }).setView(
    setup.center,
    setup.zoom,
  );
  map.attributionControl.setPrefix(false);
  // The sheet below the map grows and shrinks with its messages: keep Leaflet's idea of the
  // map size (and its centre) in step.
  const resized = new ResizeObserver(() => map.invalidateSize());
  resized.observe(byId('map'));
  // A page that removes the map (the sales workspace leaving its map view) stops watching it.
  map.on('unload', () => resized.disconnect());
  const satellite = L.tileLayer(setup.tiles.satellite.url, {
    maxZoom: 19,
    maxNativeZoom: 18,
    attribution: setup.tiles.satellite.attribution,
  }).addTo(map);
  const street = L.tileLayer(setup.tiles.street.url, {
    maxZoom: 19,
    attribution: setup.tiles.street.attribution,
  });

  const button = setup.layerButton;
  button.addEventListener('click', () => {
    const toStreet = map.hasLayer(satellite);
    map.removeLayer(toStreet ? satellite : street);
    (toStreet ? street : satellite).addTo(map);
    button.setAttribute('aria-pressed', String(toStreet));
    button.textContent = toStreet ? 'Ver satélite' : 'Ver mapa de ruas';
  });
  return map;
}

/** The red pin that marks the customer's point. */
export function pinIcon(): L.DivIcon {
  return L.divIcon({
    className: 'pin',
    html: '<svg viewBox="0 0 36 48" width="36" height="48" aria-hidden="true"><path d="M18 1C8.6 1 1 8.4 1 17.6 1 30 18 47 18 47s17-17 17-29.4C35 8.4 27.4 1 18 1z" fill="#d62d20" stroke="#fff" stroke-width="2"/><circle cx="18" cy="17.5" r="6.5" fill="#fff"/></svg>',
    iconSize: [36, 48],
    iconAnchor: [18, 47],
  });
}

/** Calls `expire` when the page's token runs out (at once if it already has). */
export function onExpiry(expiresAt: string, expire: () => void): void {
  const msLeft = new Date(expiresAt).getTime() - Date.now();
  window.setTimeout(expire, Math.min(Math.max(msLeft, 0), 2 ** 31 - 1));
}
