import type { AppContext } from '../../../context.js';
import { ValidationError } from '../../../errors.js';
import type { Doc } from '../mappers/common.js';
import type { FindArgs, ResourceDef } from '../resources/resource.js';
import { OPEN_VIEW, present, within, type View } from '../resources/view.js';
import { applySelect, envelope, type Envelope } from './envelope.js';
import { orderByOf, type ListQuery } from './list-query.js';
import {
  distanceFrom,
  translateFilters,
  type Row,
  type TranslateContext,
  type Where,
} from './translate.js';

export function translateContext(ctx: AppContext, def: ResourceDef): TranslateContext {
  return {
    resource: def.route,
    fields: def.fields,
    insensitiveMode: ctx.config.database.provider === 'postgresql',
    loadPolygon: async (model, id) => {
      if (model === 'horizontalCondominium') {
        const condo = await ctx.db.horizontalCondominium.findUnique({
          where: { id },
          select: { polygonJson: true },
        });
        return condo ? (JSON.parse(condo.polygonJson) as unknown) : null;
      }
      if (model === 'region') {
        const region = await ctx.db.region.findUnique({
          where: { id },
          select: { polygonJson: true },
        });
        return region ? (JSON.parse(region.polygonJson) as unknown) : null;
      }
      const project = await ctx.db.project.findUnique({
        where: { id },
        select: { areaJson: true },
      });
      return project?.areaJson ? (JSON.parse(project.areaJson) as unknown) : null;
    },
  };
}

/**
 * The most rows a filter may leave for the exact test in memory (`near`, `within`,
 * `point-intersect`, tags `all`, a `like` with % or _). Loading and testing more would hold the
 * process (on SQLite, every other request) for too long; the SQL part is counted first.
 */
export const MAX_CHECKED_ROWS = 25_000;

/** Refuses, before loading them, more rows than the in-memory test may look through. */
export async function checkCandidates(
  ctx: AppContext,
  def: ResourceDef,
  where: Where,
  max = MAX_CHECKED_ROWS,
): Promise<void> {
  const candidates = await def.count(ctx.db, where);
  if (candidates > max) {
    throw new ValidationError(
      `filter: ${candidates} ${def.route} match its database part, more than the ${max} its exact test (near, within, point-intersect, tags all, like with % or _) may check: add a narrower condition (a radius, a smaller area, another property)`,
      'filter',
    );
  }
}

/**
 * Runs a list query. Plain filters page in SQL; geometric ones (`near` with a radius, `within`,
 * `point-intersect`) narrow in SQL by bounding box, then the exact test runs here before paging.
 */
export async function runList(
  ctx: AppContext,
  def: ResourceDef,
  query: ListQuery,
  view: View = OPEN_VIEW,
  signal?: AbortSignal,
): Promise<Envelope<Doc>> {
  const translated = await translateFilters(query.filter, translateContext(ctx, def));
  const { post, near } = translated;
  const where = within(view, translated.where);
  const orderBy = orderByOf(query.sort, def.fields);
  const populate = query.populate;
  let total: number;
  let rows: Row[];
  if (post.length === 0 && !near) {
    [total, rows] = await Promise.all([
      def.count(ctx.db, where),
      window(ctx, def, { where, orderBy, skip: query.start, take: query.limit, populate }),
    ]);
  } else {
    await checkCandidates(ctx, def, where);
    let all: Row[] = [];
    for await (const page of pagesOf(ctx, def, where, orderBy, populate, signal)) {
      for (const row of page) if (post.every((keep) => keep(row))) all.push(row);
    }
    if (near && query.sort.length === 0) {
      all = all
        .map((row) => ({ row, d: distanceFrom(near, row) }))
        .sort((a, b) => a.d - b.d)
        .map((x) => x.row);
    }
    total = all.length;
    rows = all.slice(query.start, query.start + query.limit);
  }
  const docs = rows.map((row) =>
    applySelect(present(view, def.toJson(row, populate, ctx)), query.select),
  );
  return envelope(`/api/v2/${def.route}`, query, total, docs);
}

const PAGE = 500;

/**
 * `take` rows from `skip`, read PAGE at a time: a page of up to 1 000 rows whose relations Prisma
 * reads with one parameter per row would pass SQLite's 999.
 */
async function window(ctx: AppContext, def: ResourceDef, args: FindArgs): Promise<Row[]> {
  const { skip = 0, take = PAGE } = args;
  if (take <= PAGE) return def.findMany(ctx.db, args);
  const orderBy = [...args.orderBy, { id: 'asc' as const }];
  const rows: Row[] = [];
  for (let at = skip; at < skip + take; at += PAGE) {
    const part = await def.findMany(ctx.db, {
      ...args,
      orderBy,
      skip: at,
      take: Math.min(PAGE, skip + take - at),
    });
    rows.push(...part);
    if (part.length < PAGE) break;
  }
  return rows;
}

/**
 * Every row matching `where`, in pages of 500 (in `orderBy`, then id): the relations a page
 * includes are read for at most 500 rows, whatever the size of the inventory. Once `signal` is
 * aborted (the client went away), no further page is read: it throws the signal's reason.
 */
export async function* pagesOf(
  ctx: AppContext,
  def: ResourceDef,
  where: Where,
  orderBy: FindArgs['orderBy'],
  populate: ReadonlySet<string>,
  signal?: AbortSignal,
): AsyncGenerator<Row[]> {
  const order = [...orderBy, { id: 'asc' as const }];
  for (let skip = 0; ; skip += PAGE) {
    signal?.throwIfAborted();
    const page = await def.findMany(ctx.db, { where, orderBy: order, skip, take: PAGE, populate });
    if (page.length) yield page;
    if (page.length < PAGE) return;
  }
}

/** One document by id, or null. */
export async function findOne(
  ctx: AppContext,
  def: ResourceDef,
  id: string,
  populate: ReadonlySet<string> = new Set(),
  view: View = OPEN_VIEW,
): Promise<Doc | null> {
  const [row] = await def.findMany(ctx.db, {
    where: within(view, { id }),
    orderBy: [],
    take: 1,
    populate,
  });
  return row ? present(view, def.toJson(row, populate, ctx)) : null;
}
