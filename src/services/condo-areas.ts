import type { Db } from '../ozmap-model/db/client.js';
import { CondoSet, type GeoJsonMultiPolygon, type GeoJsonPolygon } from '../viability/index.js';

export interface CondoFacts {
  id: string;
  name: string | null;
  address: string | null;
}

/**
 * The horizontal condominiums (gated communities) in memory for viability: their outlines as a
 * CondoSet and what answers show about them. Few per provider: reloaded whole on any change.
 */
export class CondoAreas {
  private areas = CondoSet.build([]);
  private facts = new Map<string, CondoFacts>();

  constructor(private readonly db: Db) {}

  static async load(db: Db): Promise<CondoAreas> {
    const areas = new CondoAreas(db);
    await areas.reload();
    return areas;
  }

  async reload(): Promise<void> {
    const rows = await this.db.horizontalCondominium.findMany({
      select: { id: true, name: true, address: true, polygonJson: true },
      orderBy: { id: 'asc' },
    });
    this.areas = CondoSet.build(
      rows.map((r) => ({
        id: r.id,
        polygon: JSON.parse(r.polygonJson) as GeoJsonPolygon | GeoJsonMultiPolygon,
      })),
    );
    this.facts = new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, address: r.address }]));
  }

  get set(): CondoSet {
    return this.areas;
  }

  factsOf(id: string): CondoFacts {
    return this.facts.get(id) ?? { id, name: null, address: null };
  }
}
