import type { OzlocPageConfig } from '../../src/integrations/ispbox/ozloc-page.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { createBox } from '../support/network-fixture.js';
import type { TestServer } from '../support/server.js';

/** The client's home: Avenida Brasil, Maringá-PR (where the simulated geocoder puts nº 1500). */
export const HOME = { lat: -23.4254, lng: -51.9375 };

/** A point `metres` east of HOME. */
export const east = (metres: number) => ({
  lat: HOME.lat,
  lng: HOME.lng + metres / (111_320 * Math.cos((HOME.lat * Math.PI) / 180)),
});

/** The "OzMap Raio" the provider set in Ispbox 2 (the system default stays 300 m). */
export const ISPBOX_RADIUS = 200;

export interface IspboxNetwork {
  /** API key of the `ispbox` integration, as Ispbox 2 is configured with. */
  key: string;
  boxes: Record<'a' | 'one' | 'b' | 'full' | 'far' | 'draft', string>;
}

/**
 * The integration profile and key the provider creates for Ispbox 2, and boxes around HOME:
 * viable CTO-A (40 m, 6 free), CTO-UMA (100 m, 1 free), CTO-B (150 m, 4 free); refused CTO-CHEIA
 * (90 m, full) and CTO-PROJETO (20 m, draft); CTO-LONGE (260 m) is outside Ispbox's radius but
 * inside the system default, so it shows whether the profile's radius applies.
 */
export async function seedIspbox(server: TestServer): Promise<IspboxNetwork> {
  const { ctx } = server;
  await ctx.integrations.create({
    name: 'ispbox',
    kind: 'ispbox',
    defaultRadiusMeters: ISPBOX_RADIUS,
  });
  const { key } = await createApiKey(ctx.db, 'Ispbox', 'ispbox');
  const a = await createBox(ctx.db, {
    name: 'CTO-A',
    ...east(40),
    splitters: [{ ratio: 8, taken: [1, 2] }],
  });
  const one = await createBox(ctx.db, {
    name: 'CTO-UMA',
    ...east(100),
    splitters: [{ ratio: 2, taken: [1] }],
  });
  const b = await createBox(ctx.db, { name: 'CTO-B', ...east(150), splitters: [{ ratio: 4 }] });
  const full = await createBox(ctx.db, {
    name: 'CTO-CHEIA',
    ...east(90),
    splitters: [{ ratio: 2, taken: [1, 2] }],
  });
  const far = await createBox(ctx.db, { name: 'CTO-LONGE', ...east(260) });
  const draft = await createBox(ctx.db, { name: 'CTO-PROJETO', ...east(20), draft: true });
  const all = [a, one, b, full, far, draft];
  await ctx.network.boxesChanged(all.map((x) => x.boxId));
  return {
    key,
    boxes: {
      a: a.boxId,
      one: one.boxId,
      b: b.boxId,
      full: full.boxId,
      far: far.boxId,
      draft: draft.boxId,
    },
  };
}

/** The URL Ispbox 2 opens ("Abrir OZmap"). */
export function ozlocUrl(base: string, params: Record<string, string>): string {
  return `${base}/ozloc?${new URLSearchParams(params).toString()}`;
}

/** The config the server injected into the page. */
export function configOf(html: string): OzlocPageConfig {
  const m = /<script id="ozloc-config" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (!m?.[1]) throw new Error('no OZloc config in the page');
  return JSON.parse(m[1]) as OzlocPageConfig;
}
