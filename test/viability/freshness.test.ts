import { describe, expect, it } from 'vitest';
import { ViabilityIndex } from '../../src/viability/index.js';
import { MASP, PAULISTA_BOXES, PAULISTA_PLAN } from './fixture.js';

const near = { ...MASP, radius: 350 };
const fresh = () => ViabilityIndex.build(PAULISTA_BOXES, { regions: [PAULISTA_PLAN] });
const viableIds = (index: ViabilityIndex, q = near) => index.query(q).boxes.map((b) => b.id);

describe('updates are seen by the very next query, without a rebuild', () => {
  it('reserving and freeing ports', () => {
    const index = fresh();
    expect(index.adjustFreePorts('cto-trianon', -1)).toBe(1);
    expect(index.query(near).boxes[1]).toEqual({
      id: 'cto-trianon',
      distance: 135.76,
      freePorts: 1,
    });
    index.adjustFreePorts('cto-trianon', -1);
    expect(index.query(near).refused[0]).toEqual({
      id: 'cto-trianon',
      distance: 135.76,
      reason: 'no_free_port',
    });
    expect(() => index.adjustFreePorts('cto-trianon', -1)).toThrow(/would become -1/);
    index.adjustFreePorts('cto-trianon', 1);
    expect(viableIds(index)).toContain('cto-trianon');
    expect(index.setAvailability('cto-pamplona', { hasDropSplitter: true, freePorts: 3 })).toBe(
      true,
    );
    expect(viableIds(index)).toEqual([
      'cto-masp',
      'cto-trianon',
      'cto-pamplona',
      'cto-peixoto-gomide',
    ]);
    index.setAvailability('cto-masp', { hasDropSplitter: false, freePorts: 0 });
    expect(index.query(near).refused[0]).toMatchObject({
      id: 'cto-masp',
      reason: 'no_drop_splitter',
    });
  });

  it('toggling draft', () => {
    const index = fresh();
    expect(index.setDraft('cto-haddock-lobo', false)).toBe(true);
    expect(viableIds(index)).toContain('cto-haddock-lobo');
    index.setDraft('cto-masp', true);
    expect(index.query(near).refused[0]).toMatchObject({ id: 'cto-masp', reason: 'draft' });
  });

  it('moving a box out of and into the radius', () => {
    const index = fresh();
    index.upsertBox({ id: 'cto-masp', lat: -23.5714, lng: -46.6447 }); // to Paraíso
    expect(viableIds(index)).toEqual(['cto-trianon', 'cto-peixoto-gomide']);
    index.upsertBox({ id: 'cto-paraiso', lat: MASP.lat, lng: MASP.lng }); // to the customer
    expect(index.query(near).boxes[0]).toEqual({ id: 'cto-paraiso', distance: 0, freePorts: 16 });
    index.upsertBox({ id: 'cto-masp', lat: -23.56125, lng: -46.656 }); // back home
    expect(viableIds(index)).toEqual([
      'cto-paraiso',
      'cto-masp',
      'cto-trianon',
      'cto-peixoto-gomide',
    ]);
    // availability travels with the box; left-out fields keep their values
    expect(index.query(near).boxes[1]).toEqual({ id: 'cto-masp', distance: 21.59, freePorts: 5 });
  });

  it('adding and removing boxes', () => {
    const index = fresh();
    index.upsertBox({
      id: 'cto-new',
      lat: -23.5615,
      lng: -46.6559,
      hasDropSplitter: true,
      freePorts: 1,
    });
    expect(index.has('cto-new')).toBe(true);
    expect(viableIds(index)[0]).toBe('cto-new');
    expect(index.removeBox('cto-new')).toBe(true);
    expect(index.removeBox('cto-masp')).toBe(true);
    expect(index.removeBox('cto-masp')).toBe(false);
    expect(viableIds(index)).toEqual(['cto-trianon', 'cto-peixoto-gomide']);
    expect(index.size).toBe(PAULISTA_BOXES.length - 1);
    // updates to an unknown box change nothing and say so
    expect(index.setAvailability('cto-masp', { hasDropSplitter: true, freePorts: 1 })).toBe(false);
    expect(index.adjustFreePorts('cto-masp', 1)).toBeUndefined();
    expect(index.setDraft('cto-masp', false)).toBe(false);
    // a removed id can come back
    index.upsertBox({
      id: 'cto-masp',
      lat: -23.56125,
      lng: -46.656,
      hasDropSplitter: true,
      freePorts: 1,
    });
    expect(viableIds(index)[0]).toBe('cto-masp');
  });

  it('changing regions', () => {
    const index = fresh();
    const tagged = { ...near, tags: ['plano-paulista'] };
    expect(viableIds(index, tagged)).toEqual(['cto-masp', 'cto-peixoto-gomide']);
    expect(index.removeRegion('region-paulista')).toBe(true);
    expect(viableIds(index, tagged)).toEqual([]);
    index.upsertRegion({
      ...PAULISTA_PLAN,
      polygon: {
        ...PAULISTA_PLAN.polygon,
        coordinates: [PAULISTA_PLAN.polygon.coordinates[0]!],
      } as typeof PAULISTA_PLAN.polygon,
    });
    expect(viableIds(index, tagged)).toEqual(['cto-masp', 'cto-trianon', 'cto-peixoto-gomide']);
    index.setRegions([]);
    expect(viableIds(index, tagged)).toEqual([]);
  });
});

describe('rebuild()', () => {
  it('folds the overlay into a new index with identical answers and leaves the old one intact', () => {
    const index = fresh();
    index.upsertBox({ id: 'cto-masp', lat: -23.5616, lng: -46.6561 });
    index.upsertBox({
      id: 'cto-extra',
      lat: -23.5611,
      lng: -46.6555,
      hasDropSplitter: true,
      freePorts: 2,
    });
    index.removeBox('cto-trianon');
    index.adjustFreePorts('cto-peixoto-gomide', -3);
    expect(index.overlaySize).toBe(2);

    const rebuilt = index.rebuild();
    expect(rebuilt.overlaySize).toBe(0);
    expect(rebuilt.size).toBe(index.size);
    for (const radius of [0, 50, 350, 900, 5000]) {
      for (const tags of [undefined, ['plano-paulista']]) {
        const q = { ...MASP, radius, tags };
        expect(rebuilt.query(q)).toEqual(index.query(q));
      }
    }
    // independent afterwards
    rebuilt.adjustFreePorts('cto-extra', -2);
    expect(viableIds(index)).toContain('cto-extra');
    expect(viableIds(rebuilt)).not.toContain('cto-extra');
  });
});
