import { ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../ozmap-model/db/client.js';
import { validatePoint, type GeoPoint } from './geo-input.js';

export interface ProspectRequest {
  /** A caller's idempotency key: a second request with the same code returns the first prospect. */
  code?: string;
  name?: string;
  phone?: string;
  email?: string;
  address?: string;
  point?: GeoPoint;
  observation?: string;
  /** Tag names or ids; names that do not exist yet are created for prospects. */
  tags: string[];
  /** Who recorded it: an integration or a channel. */
  source: string;
  meta?: Record<string, unknown>;
  /** No network within the service area at all: kept apart from normal leads. */
  outOfArea?: boolean;
}

export interface CreatedProspect {
  id: string;
  tags: string[];
}

/** Records a lead without coverage: `viable = false`, with the caller's configured tags. */
export async function createProspect(
  db: Db,
  req: ProspectRequest,
  now = new Date(),
): Promise<CreatedProspect> {
  if (!req.name?.trim() && !req.phone?.trim()) {
    throw new ValidationError('a prospect needs at least a name or a phone', 'name');
  }
  const point = req.point ? validatePoint(req.point) : undefined;
  if (req.code) {
    const existing = await db.prospect.findFirst({
      where: { code: req.code },
      select: { id: true, tags: { select: { id: true } } },
    });
    if (existing) return { id: existing.id, tags: existing.tags.map((t) => t.id) };
  }
  const tagIds = await resolveTags(db, req.tags);
  const id = newId(now.getTime());
  await db.prospect.create({
    data: {
      id,
      code: req.code ?? null,
      name: req.name?.trim() || null,
      phone: req.phone?.trim() || null,
      email: req.email?.trim() || null,
      address: req.address?.trim() || null,
      observation: req.observation ?? null,
      viable: false,
      lat: point?.lat ?? null,
      lng: point?.lng ?? null,
      source: req.source,
      metaJson: req.meta ? JSON.stringify(req.meta) : null,
      outOfArea: req.outOfArea ?? false,
      tags: { connect: tagIds.map((tagId) => ({ id: tagId })) },
    },
  });
  return { id, tags: tagIds };
}

/** Tag ids for names or ids; names not known yet become prospect tags. */
export async function resolveTags(db: Db, refs: string[]): Promise<string[]> {
  const wanted = [...new Set(refs.map((r) => r.trim()).filter(Boolean))];
  const ids: string[] = [];
  for (const ref of wanted) {
    const found = await db.tag.findFirst({
      where: { OR: [{ id: ref }, { name: ref }] },
      select: { id: true },
    });
    if (found) {
      ids.push(found.id);
      continue;
    }
    // Upsert, not create: a concurrent request may be creating the same tag.
    const tag = await db.tag.upsert({
      where: { name: ref },
      create: { id: newId(), name: ref, allowedTypesJson: JSON.stringify(['prospect']) },
      update: {},
      select: { id: true },
    });
    ids.push(tag.id);
  }
  return ids;
}
