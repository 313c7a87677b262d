// (e) PostGIS ST_DWithin on geography with a GiST index (when BENCH_POSTGIS_URL is set).
import pg from 'pg';
import type { Method } from './methods.js';

const BATCH = 50_000;

// use_spheroid = false: PostGIS's sphere (mean radius 6371008.77 m) is the model our core uses,
// so answers are comparable; the spheroid would move the edge of a 300 m circle by up to ~1.5 m.
const QUERY = {
  name: 'bench_dwithin',
  text: `SELECT id FROM bench_boxes
         WHERE ST_DWithin(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3, false)`,
};

export function postgisMethod(url: string): Method<number[]> {
  const client = new pg.Client({ connectionString: url });
  let connected = false;
  return {
    name: 'PostGIS ST_DWithin (GiST)',
    async build(data) {
      if (!connected) {
        await client.connect();
        connected = true;
        await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
      }
      await client.query('DROP TABLE IF EXISTS bench_boxes');
      await client.query(
        'CREATE UNLOGGED TABLE bench_boxes (id integer PRIMARY KEY, geog geography(Point, 4326) NOT NULL)',
      );
      const started = performance.now();
      for (let from = 0; from < data.lat.length; from += BATCH) {
        const to = Math.min(from + BATCH, data.lat.length);
        const ids = Array.from({ length: to - from }, (_, k) => from + k);
        await client.query(
          `INSERT INTO bench_boxes (id, geog)
           SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography
           FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(i, x, y)`,
          [ids, Array.from(data.lng.subarray(from, to)), Array.from(data.lat.subarray(from, to))],
        );
      }
      await client.query('CREATE INDEX bench_boxes_geog ON bench_boxes USING GIST (geog)');
      await client.query('ANALYZE bench_boxes');
      const ms = performance.now() - started;
      const size = await client.query<{ bytes: string }>(
        `SELECT pg_total_relation_size('bench_boxes') AS bytes`,
      );
      return { ms, cpuMs: NaN, memoryBytes: Number(size.rows[0]!.bytes) };
    },
    async query(lat, lng, radius) {
      const result = await client.query<{ id: number }>({ ...QUERY, values: [lng, lat, radius] });
      return result.rows.map((r) => r.id);
    },
    indices: (r) => r,
    async close() {
      await client.query('DROP TABLE IF EXISTS bench_boxes');
      await client.end();
    },
  };
}

/** EXPLAIN of one query, to confirm the index is used. */
export async function explainPostgis(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN ${QUERY.text.replace('$1', '-46.63').replace('$2', '-23.55').replace('$3', '300')}`,
    );
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}
