import type { AppContext } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { parseFilterParam } from './query/filter-syntax.js';
import { translateFilters, type Where } from './query/translate.js';
import { checkCandidates, pagesOf, translateContext } from './query/run-list.js';
import { writeInChunks } from '../../ozmap-model/db/chunks.js';
import type { ResourceDef } from './resources/resource.js';
import { within, type View } from './resources/view.js';

/**
 * The `where` selecting what a batch update's filter matches. An empty filter is refused: a batch
 * update of everything is almost always a mistake. Geometric filters resolve to an id list.
 */
export async function batchWhere(
  ctx: AppContext,
  def: ResourceDef,
  rawFilter: unknown,
  view: View,
  signal?: AbortSignal,
): Promise<BatchTarget> {
  const items = parseFilterParam(rawFilter);
  if (items.length === 0) {
    throw new ValidationError('filter: a batch update needs a non-empty filter', 'filter');
  }
  const translated = await translateFilters(items, translateContext(ctx, def));
  const where = within(view, translated.where);
  const post = translated.post;
  if (post.length === 0) return { where };
  await checkCandidates(ctx, def, where);
  const ids: string[] = [];
  for await (const page of pagesOf(ctx, def, where, [], new Set(), signal)) {
    for (const row of page) if (post.every((keep) => keep(row))) ids.push(row.id as string);
  }
  return { ids };
}

/**
 * What a batch update writes to: a `where` the database evaluates, or (for geometric filters)
 * the matching ids, updated in chunks so the statement never grows with the inventory.
 */
export type BatchTarget = { where: Where } | { ids: string[] };

export async function updateBatch(
  target: BatchTarget,
  update: (where: Where) => Promise<unknown>,
): Promise<void> {
  if ('where' in target) {
    await update(target.where);
    return;
  }
  await writeInChunks(target.ids, async (chunk) => {
    await update({ id: { in: chunk } });
  });
}
