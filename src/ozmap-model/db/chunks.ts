// Queries whose parameter list would grow with the inventory. SQLite takes at most 999 bound
// parameters per statement through Prisma, PostgreSQL 32 766: a `where: { id: { in: ids } }` over
// every box of a provider fails (Prisma P2029) long before memory or time would. Every read or
// write over an id list goes through these helpers so its statements stay small whatever the size.

/**
 * Ids per statement. Well under SQLite's 999 so a statement can carry a few other parameters too,
 * and large enough that a million ids are 2 000 statements.
 */
export const MAX_IDS_PER_QUERY = 500;

/** `items` in consecutive slices of at most `size`. */
export function chunked<T>(items: readonly T[], size = MAX_IDS_PER_QUERY): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `find` over the distinct `ids` in chunks, one after the other (inside an interactive
 * transaction every query shares one connection anyway), and concatenates the results.
 *
 * ```ts
 * const boxes = await findInChunks(ids, (chunk) => db.box.findMany({ where: { id: { in: chunk } } }));
 * ```
 */
export async function findInChunks<K, R>(
  ids: Iterable<K>,
  find: (chunk: K[]) => Promise<R[]>,
  size = MAX_IDS_PER_QUERY,
): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunked([...new Set(ids)], size)) {
    for (const row of await find(chunk)) out.push(row);
  }
  return out;
}

/**
 * Runs a write (`updateMany`, `deleteMany`...) over the distinct `ids` in chunks and adds up the
 * `count`s it reports.
 */
export async function writeInChunks<K>(
  ids: Iterable<K>,
  write: (chunk: K[]) => Promise<{ count: number } | number | void>,
  size = MAX_IDS_PER_QUERY,
): Promise<number> {
  let total = 0;
  for (const chunk of chunked([...new Set(ids)], size)) {
    const result = await write(chunk);
    total += typeof result === 'number' ? result : (result?.count ?? 0);
  }
  return total;
}

/**
 * Reads a whole table in pages ordered by a unique key ("keyset" paging: each page starts after
 * the last key of the one before, so a page costs the same wherever it is, unlike OFFSET). Prisma
 * nested reads (`include`, relation `select`) then stay bounded by the page size too.
 *
 * ```ts
 * for await (const page of keysetPages((after, take) =>
 *   db.box.findMany({ where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, take,
 *                     include: { tags: true } }), (b) => b.id)) { ... }
 * ```
 */
export async function* keysetPages<R>(
  fetchPage: (after: string | undefined, take: number) => Promise<R[]>,
  keyOf: (row: R) => string,
  take = MAX_IDS_PER_QUERY,
): AsyncGenerator<R[]> {
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after, take);
    if (page.length === 0) return;
    yield page;
    if (page.length < take) return;
    after = keyOf(page[page.length - 1]!);
  }
}
