import { z } from 'zod';
import { newId } from '../../../ids.js';
import { BASE_FIELDS } from '../query/fields.js';
import { regionTypeToJson } from '../mappers/catalogue.js';
import { longText, mapWriteError, measure, parseBody, text } from '../validation.js';
import { defineResource } from './resource.js';

const RegionTypeFields = {
  name: text.min(1, 'must not be empty'),
  color: text,
  borderColor: text,
  lineWidth: measure.positive().max(1000, 'must be at most 1000'),
  description: longText.nullable(),
};
const CreateRegionType = z.object(RegionTypeFields).partial().required({ name: true });
const UpdateRegionType = z.object(RegionTypeFields).partial();

export const regionTypes = defineResource({
  route: 'region-types',
  label: 'region type',
  schemas: { create: CreateRegionType, update: UpdateRegionType },
  fields: { ...BASE_FIELDS, name: { type: 'string' } },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.regionType.findMany({ where: where, orderBy, skip, take }),
  count: (db, where) => db.regionType.count({ where: where }),
  toJson: (row) => regionTypeToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateRegionType, raw);
    const id = newId();
    await ctx.db.regionType
      .create({ data: { ...body, id } })
      .catch((err: unknown) => mapWriteError(err, 'region type', id, 'name'));
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateRegionType, raw);
    await ctx.db.regionType
      .update({ where: { id }, data: body })
      .catch((err: unknown) => mapWriteError(err, 'region type', id, 'name'));
  },
  async remove(ctx, id) {
    await ctx.db.regionType
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'region type', id));
  },
});
