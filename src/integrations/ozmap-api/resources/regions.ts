import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { regionToJson } from '../mappers/customers.js';
import {
  idList,
  idRef,
  longText,
  mapWriteError,
  parseBody,
  requireIds,
  text,
} from '../validation.js';
import { defineResource } from './resource.js';
import { checkPolygon, polygonInput } from './geometry.js';

const RegionFields = {
  polygon: polygonInput,
  regionType: idRef,
  tags: idList,
  projects: idList,
  name: text.nullable(),
  observation: longText.nullable(),
  color: text.nullable(),
  borderColor: text.nullable(),
  external_id: text.nullable(),
};
const CreateRegion = z.object(RegionFields).partial().required({ polygon: true, regionType: true });
const UpdateRegion = z.object(RegionFields).partial();
type RegionInput = z.infer<typeof UpdateRegion>;

async function checkReferences(db: Db, body: RegionInput): Promise<void> {
  if (body.regionType) {
    const type = await db.regionType.findUnique({ where: { id: body.regionType } });
    if (!type)
      throw new ValidationError(
        `regionType: region type ${body.regionType} not found`,
        'regionType',
      );
  }
  await requireIds(
    (ids) => db.tag.findMany({ where: { id: { in: ids } } }),
    body.tags ?? [],
    'tags',
    'tag',
  );
  await requireIds(
    (ids) => db.project.findMany({ where: { id: { in: ids } } }),
    body.projects ?? [],
    'projects',
    'project',
  );
}

function regionData(body: RegionInput) {
  return {
    name: body.name,
    observation: body.observation,
    color: body.color,
    borderColor: body.borderColor,
    externalId: body.external_id,
    polygonJson: body.polygon && checkPolygon(body.polygon, 'polygon'),
    regionTypeId: body.regionType,
  };
}

const connect = (list: string[] | undefined) => (list ?? []).map((id) => ({ id }));

export const regions = defineResource({
  route: 'regions',
  label: 'region',
  schemas: { create: CreateRegion, update: UpdateRegion },
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    regionType: { type: 'id', column: 'regionTypeId' },
    tags: { type: 'idList' },
    projects: { type: 'idList' },
    polygon: { type: 'polygon', column: 'polygonJson' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.region.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: { tags: { select: { id: true } }, projects: { select: { id: true } } },
    }),
  count: (db, where) => db.region.count({ where: where }),
  toJson: (row) => regionToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateRegion, raw);
    const data = regionData(body);
    await checkReferences(ctx.db, body);
    const id = newId();
    await ctx.db.region
      .create({
        data: {
          ...data,
          id,
          polygonJson: data.polygonJson!,
          regionTypeId: body.regionType,
          tags: { connect: connect(body.tags) },
          projects: { connect: connect(body.projects) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'region', id, 'external_id'));
    await ctx.network.regionsChanged();
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateRegion, raw);
    const data = regionData(body);
    await checkReferences(ctx.db, body);
    await ctx.db.region
      .update({
        where: { id },
        data: {
          ...data,
          tags: body.tags && { set: connect(body.tags) },
          projects: body.projects && { set: connect(body.projects) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'region', id, 'external_id'));
    await ctx.network.regionsChanged();
  },
  async remove(ctx, id) {
    await ctx.db.region
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'region', id));
    await ctx.network.regionsChanged();
  },
});
