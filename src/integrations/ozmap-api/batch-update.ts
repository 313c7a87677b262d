import type { AppContext } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { parseFilterParam } from './query/filter-syntax.js';
import { translateFilters, type Where } from './query/translate.js';
import { checkCandidates, translateContext } from './query/run-list.js';
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
): Promise<Where> {
  const items = parseFilterParam(rawFilter);
  if (items.length === 0) {
    throw new ValidationError('filter: a batch update needs a non-empty filter', 'filter');
  }
  const translated = await translateFilters(items, translateContext(ctx, def));
  const where = within(view, translated.where);
  const post = translated.post;
  if (post.length === 0) return where;
  // The matches become an id list in one statement: SQLite takes at most 999 parameters.
  await checkCandidates(ctx, def, where, 400);
  const rows = await def.findMany(ctx.db, { where, orderBy: [], populate: new Set() });
  return { id: { in: rows.filter((row) => post.every((keep) => keep(row))).map((row) => row.id) } };
}
