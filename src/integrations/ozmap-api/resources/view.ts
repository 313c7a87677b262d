import { NotFoundError } from '../../../errors.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { ownerFilter, seesPersonalData, type Principal } from '../../../security/principal.js';
import type { Doc } from '../mappers/common.js';
import { maskPersonalData } from '../mappers/masking.js';
import type { Where } from '../query/translate.js';
import type { ResourceDef } from './resource.js';

/** What one principal may see of one resource: which rows, and whether personal data in clear. */
export interface View {
  /** Added (AND) to every query of the resource; `{}` for every row. */
  where: Where;
  /** Mask CPF/phone/e-mail in the documents returned. */
  mask: boolean;
}

/** Every row, in clear: in-process callers (jobs, tests) and routes without a principal. */
export const OPEN_VIEW: View = { where: {}, mask: false };

export function viewOf(def: ResourceDef, principal: Principal | undefined): View {
  if (!principal) return OPEN_VIEW;
  const owner = def.ownedBy ? ownerFilter(principal) : undefined;
  return {
    where: owner !== undefined && def.ownedBy ? def.ownedBy(owner) : {},
    mask: def.personalData === true && !seesPersonalData(principal),
  };
}

/** `where` narrowed to the view. */
export function within(view: View, where: Where): Where {
  return Object.keys(view.where).length === 0 ? where : { AND: [where, view.where] };
}

export function present(view: View, doc: Doc): Doc {
  return view.mask ? maskPersonalData(doc) : doc;
}

/** 404 unless the record exists and is in the view (another integration's record "does not exist"). */
export async function requireVisible(
  db: Db,
  def: ResourceDef,
  view: View,
  id: string,
): Promise<void> {
  if ((await def.count(db, within(view, { id }))) === 0) throw new NotFoundError(def.label, id);
}
