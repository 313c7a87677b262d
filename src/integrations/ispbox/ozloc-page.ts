import { fillBuiltPage } from '../../http/built-page.js';
import { escapeHtml, renderProblemPage } from '../../http/problem-page.js';

/** What the OZloc page reads from the served HTML (`<script id="ozloc-config">`). */
export interface OzlocPageConfig {
  /** Sealed session token: the page sends it in the X-Ozloc-Session header. */
  session: string;
  expiresAt: string;
  point: { lat: number; lng: number };
  /** Search radius in metres (the integration's "OzMap Raio", else the system default). */
  radius: number;
  /** Viability mode: by radius, or along the poles (drop length, with each box's route). */
  mode?: 'radius' | 'poles';
  /** Pole mode: the longest drop, metres. */
  maxDropLength?: number;
  /** The `viabilityTags` the page was opened with. */
  tags?: string[];
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
  /** Metres from the client's point: straight line, or in pole mode the drop along the poles. */
  distance: number;
  freePorts: number;
  lat: number;
  lng: number;
  /** Pole mode: the straight line, metres. */
  straightDistance?: number;
  /** Pole mode: client → poles → box, as [lng, lat] points. */
  route?: Array<[number, number]>;
}

export interface OzlocBoxesResponse {
  radius: number;
  mode: 'radius' | 'poles';
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

/** Fills the built HTML: config as inert JSON (no `<` can close the tag), assets under `assetBase`. */
export function renderOzlocPage(
  template: string,
  config: OzlocPageConfig,
  assetBase: string,
): string {
  return fillBuiltPage(
    template,
    { placeholder: OZLOC_CONFIG_PLACEHOLDER, scriptId: 'ozloc-config' },
    config,
    assetBase,
  );
}

/** A plain pt-BR page for a visit that cannot go on (bad key, address not found...). */
export function ozlocProblemPage(title: string, body: string, next: string): string {
  return renderProblemPage({
    site: 'OZloc',
    width: '32rem',
    titleHtml: escapeHtml(title),
    paragraphsHtml: [escapeHtml(body), escapeHtml(next)],
  });
}
