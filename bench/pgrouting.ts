// Pole-mode viability in PostgreSQL with pgRouting, on the benchmark's pole network: one
// PL/pgSQL call per customer (one round trip, as the PostGIS radius method): the poles within the
// access distance (PostGIS, GiST), pgr_drivingDistance from a virtual start joined to each of them
// at its straight-line distance, over the spans whose box meets the reachable area (GiST), then
// the boxes on the reached poles with the same rules, and the boxes in the radius left unreached.
import pg from 'pg';
import type { BuildStats } from './methods.js';
import type { PoleDataset } from './pole-data.js';

const BATCH = 50_000;

export interface SqlAnswer {
  viable: Array<{ id: string; distance: number }>;
  refused: number;
}

const FUNCTION = `
CREATE OR REPLACE FUNCTION bench_pole_viability(
  qlat float8, qlng float8, access float8, maxdrop float8, radius float8)
RETURNS TABLE(box int, route float8, reason text) LANGUAGE plpgsql AS $fn$
DECLARE
  pt geography := ST_SetSRID(ST_MakePoint(qlng, qlat), 4326)::geography;
  starts text;
  dlat float8 := (access + maxdrop) / 111000.0;
  dlng float8 := dlat / cos(radians(qlat));
BEGIN
  SELECT string_agg(format('(%s, %s::float8)', p.id, ST_Distance(p.geog, pt, false)), ',')
    INTO starts
    FROM bench_pole p WHERE ST_DWithin(p.geog, pt, access, false);
  RETURN QUERY
  WITH dd AS (
    SELECT d.node, d.agg_cost FROM pgr_drivingDistance(
      format($q$SELECT id, source, target, cost, cost AS reverse_cost FROM bench_span
                 WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)
               UNION ALL
               SELECT -row_number() OVER (), 0, v.pole, v.d, -1::float8
                 FROM (VALUES %s) v(pole, d)$q$,
             qlng - dlng, qlat - dlat, qlng + dlng, qlat + dlat, starts),
      0, maxdrop, true) d
    WHERE starts IS NOT NULL
  ), reached AS (
    SELECT b.id, dd.agg_cost AS route,
           CASE WHEN b.draft THEN 'draft' WHEN NOT b.has_drop THEN 'no_drop_splitter'
                WHEN b.free <= 0 THEN 'no_free_port' END AS reason
      FROM dd JOIN bench_box b ON b.pole = dd.node
  )
  SELECT r.id, r.route, r.reason FROM reached r
  UNION ALL
  SELECT b.id, NULL::float8,
         CASE WHEN b.draft THEN 'draft' WHEN NOT b.has_drop THEN 'no_drop_splitter'
              WHEN b.free <= 0 THEN 'no_free_port' ELSE 'route_too_long' END
    FROM bench_box b
   WHERE ST_DWithin(b.geog, pt, radius, false) AND b.id NOT IN (SELECT id FROM reached);
END $fn$`;

export function pgroutingMethod(
  url: string,
  settings: { access: number; drop: number; radius: number },
) {
  const client = new pg.Client({ connectionString: url });
  let boxIds: string[] = [];
  const call = {
    name: 'bench_pole_viability',
    text: 'SELECT box, route, reason FROM bench_pole_viability($1, $2, $3, $4, $5)',
  };
  return {
    async build(data: PoleDataset, log: (m: string) => void): Promise<BuildStats> {
      await client.connect();
      await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
      await client.query('CREATE EXTENSION IF NOT EXISTS pgrouting');
      await client.query('DROP TABLE IF EXISTS bench_box, bench_span, bench_pole');
      await client.query(`CREATE UNLOGGED TABLE bench_pole (id integer PRIMARY KEY,
        geom geometry(Point, 4326) NOT NULL, geog geography(Point, 4326) NOT NULL)`);
      await client.query(`CREATE UNLOGGED TABLE bench_span (id integer PRIMARY KEY,
        source integer NOT NULL, target integer NOT NULL, cost float8 NOT NULL,
        geom geometry(LineString, 4326) NOT NULL)`);
      await client.query(`CREATE UNLOGGED TABLE bench_box (id integer PRIMARY KEY,
        pole integer NOT NULL, draft boolean NOT NULL, has_drop boolean NOT NULL,
        free integer NOT NULL, geog geography(Point, 4326) NOT NULL)`);
      const started = performance.now();
      // Poles are numbered from 1: 0 is each query's virtual start.
      for (let from = 0; from < data.poleIds.length; from += BATCH) {
        const to = Math.min(from + BATCH, data.poleIds.length);
        await client.query(
          `INSERT INTO bench_pole SELECT i + 1, ST_SetSRID(ST_MakePoint(x, y), 4326),
                  ST_SetSRID(ST_MakePoint(x, y), 4326)::geography
             FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(i, x, y)`,
          [
            range(from, to),
            [...data.poleLng.subarray(from, to)],
            [...data.poleLat.subarray(from, to)],
          ],
        );
      }
      for (let from = 0; from < data.spanFrom.length; from += BATCH) {
        const to = Math.min(from + BATCH, data.spanFrom.length);
        await client.query(
          `INSERT INTO bench_span SELECT t.i, t.a + 1, t.b + 1, t.c, ST_MakeLine(pa.geom, pb.geom)
             FROM unnest($1::int[], $2::int[], $3::int[], $4::float8[]) AS t(i, a, b, c)
             JOIN bench_pole pa ON pa.id = t.a + 1 JOIN bench_pole pb ON pb.id = t.b + 1`,
          [
            range(from, to),
            [...data.spanFrom.subarray(from, to)],
            [...data.spanTo.subarray(from, to)],
            [...data.spanLength.subarray(from, to)],
          ],
        );
      }
      for (let from = 0; from < data.boxes.length; from += BATCH) {
        const to = Math.min(from + BATCH, data.boxes.length);
        const part = data.boxes.slice(from, to);
        await client.query(
          `INSERT INTO bench_box SELECT i, p + 1, d, h, f, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography
             FROM unnest($1::int[], $2::int[], $3::bool[], $4::bool[], $5::int[], $6::float8[], $7::float8[])
               AS t(i, p, d, h, f, x, y)`,
          [
            range(from, to),
            [...data.boxPole.subarray(from, to)],
            part.map((b) => b.draft ?? false),
            part.map((b) => b.hasDropSplitter ?? false),
            part.map((b) => b.freePorts ?? 0),
            part.map((b) => b.lng),
            part.map((b) => b.lat),
          ],
        );
      }
      log(`  pgRouting tables loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      await client.query('CREATE INDEX bench_pole_geog ON bench_pole USING GIST (geog)');
      await client.query('CREATE INDEX bench_span_geom ON bench_span USING GIST (geom)');
      await client.query('CREATE INDEX bench_box_pole ON bench_box (pole)');
      await client.query('CREATE INDEX bench_box_geog ON bench_box USING GIST (geog)');
      await client.query('ANALYZE bench_pole; ANALYZE bench_span; ANALYZE bench_box');
      await client.query(FUNCTION);
      const ms = performance.now() - started;
      const size = await client.query<{ bytes: string }>(
        `SELECT pg_total_relation_size('bench_pole') + pg_total_relation_size('bench_span')
              + pg_total_relation_size('bench_box') AS bytes`,
      );
      boxIds = data.boxes.map((b) => b.id);
      return { ms, cpuMs: NaN, memoryBytes: Number(size.rows[0]!.bytes) };
    },

    async query(lat: number, lng: number): Promise<SqlAnswer> {
      const { rows } = await client.query<{
        box: number;
        route: number | null;
        reason: string | null;
      }>({ ...call, values: [lat, lng, settings.access, settings.drop, settings.radius] });
      const viable: SqlAnswer['viable'] = [];
      let refused = 0;
      for (const r of rows) {
        if (r.reason === null && r.route !== null) {
          viable.push({ id: boxIds[r.box]!, distance: Math.round(r.route * 100) / 100 });
        } else refused++;
      }
      return { viable, refused };
    },

    /** EXPLAIN ANALYZE of the spans query one call runs (to confirm the GiST index is used). */
    async explain(lat: number, lng: number): Promise<string> {
      const dlat = (settings.access + settings.drop) / 111000;
      const dlng = dlat / Math.cos((lat * Math.PI) / 180);
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ANALYZE SELECT id, source, target, cost FROM bench_span
          WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
        [lng - dlng, lat - dlat, lng + dlng, lat + dlat],
      );
      return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    },

    async close(): Promise<void> {
      await client.query('DROP TABLE IF EXISTS bench_box, bench_span, bench_pole').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}
