import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { condoToJson } from '../mappers/poles.js';
import { idList, idRef, mapWriteError, parseBody, requireIds, text } from '../validation.js';
import { defineResource } from './resource.js';
import { checkPolygon, polygonInput } from './geometry.js';

const CondoFields = {
  polygon: polygonInput,
  project: idRef,
  name: text.max(200).nullable(),
  observation: text.max(2000).nullable(),
  address: text.max(300).nullable(),
  color: text.max(40).nullable(),
  tags: idList,
  external_id: text.max(200).nullable(),
};
const CreateCondo = z.object(CondoFields).partial().required({ polygon: true, project: true });
const UpdateCondo = z.object(CondoFields).partial();

async function checkReferences(db: Db, body: z.infer<typeof UpdateCondo>): Promise<void> {
  if (body.project && !(await db.project.findUnique({ where: { id: body.project } }))) {
    throw new ValidationError(`project: project ${body.project} not found`, 'project');
  }
  await requireIds(
    (ids) => db.tag.findMany({ where: { id: { in: ids } } }),
    body.tags ?? [],
    'tags',
    'tag',
  );
}

const connect = (list: string[] | undefined) => (list ?? []).map((id) => ({ id }));

/**
 * `horizontal-condominiums`: gated communities ("condomínios horizontais"), as OZmap's SDK has
 * them, plus `boxes`: the boxes inside the outline (read-only), the ones that serve its residents
 * when "consider horizontal condominiums" is on.
 */
export const horizontalCondominiums = defineResource({
  route: 'horizontal-condominiums',
  label: 'horizontal condominium',
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    project: { type: 'id', column: 'projectId' },
    address: { type: 'string', nullable: true },
    tags: { type: 'idList' },
    polygon: { type: 'polygon', column: 'polygonJson' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.horizontalCondominium.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: { tags: { select: { id: true } } },
    }),
  count: (db, where) => db.horizontalCondominium.count({ where: where }),
  toJson: (row, _populate, ctx) => condoToJson(row, ctx?.viability.boxesInCondo(row.id) ?? []),
  async create(ctx, raw) {
    const body = parseBody(CreateCondo, raw);
    const polygonJson = checkPolygon(body.polygon, 'polygon');
    await checkReferences(ctx.db, body);
    const id = newId();
    await ctx.db.horizontalCondominium
      .create({
        data: {
          id,
          projectId: body.project,
          polygonJson,
          name: body.name ?? null,
          observation: body.observation ?? null,
          address: body.address ?? null,
          color: body.color ?? null,
          externalId: body.external_id ?? null,
          tags: { connect: connect(body.tags) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'horizontal condominium', id, 'external_id'));
    await ctx.network.condosChanged();
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateCondo, raw);
    await checkReferences(ctx.db, body);
    await ctx.db.horizontalCondominium
      .update({
        where: { id },
        data: {
          projectId: body.project,
          polygonJson: body.polygon && checkPolygon(body.polygon, 'polygon'),
          name: body.name,
          observation: body.observation,
          address: body.address,
          color: body.color,
          externalId: body.external_id,
          tags: body.tags && { set: connect(body.tags) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'horizontal condominium', id, 'external_id'));
    await ctx.network.condosChanged();
  },
  async remove(ctx, id) {
    await ctx.db.horizontalCondominium
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'horizontal condominium', id));
    await ctx.network.condosChanged();
  },
});
