import { z } from 'zod';
import { newId } from '../../../ids.js';
import { BASE_FIELDS } from '../query/fields.js';
import { boxTypeToJson } from '../mappers/catalogue.js';
import { int32, longText, mapWriteError, parseBody, text } from '../validation.js';
import { defineResource } from './resource.js';

const BoxTypeFields = {
  code: text.min(1, 'must not be empty'),
  prefix: text,
  brand: text.nullable(),
  mold: text.nullable(),
  description: longText.nullable(),
  default_level: int32.min(0, 'must be 0 or more').nullable(),
  default_reserve: int32.min(0, 'must be 0 or more'),
  config: z.record(z.string(), z.unknown()),
};
const CreateBoxType = z.object(BoxTypeFields).partial().required({ code: true });
const UpdateBoxType = z.object(BoxTypeFields).partial();

function boxTypeData(body: z.infer<typeof UpdateBoxType>) {
  return {
    code: body.code,
    prefix: body.prefix,
    brand: body.brand,
    mold: body.mold,
    description: body.description,
    defaultLevel: body.default_level,
    defaultReserve: body.default_reserve,
    configJson: body.config && JSON.stringify(body.config),
  };
}

export const boxTypes = defineResource({
  route: 'box-types',
  label: 'box type',
  schemas: { create: CreateBoxType, update: UpdateBoxType },
  fields: {
    ...BASE_FIELDS,
    code: { type: 'string' },
    prefix: { type: 'string' },
    brand: { type: 'string', nullable: true },
    default_level: { type: 'number', column: 'defaultLevel', nullable: true, integer: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.boxType.findMany({ where: where, orderBy, skip, take }),
  count: (db, where) => db.boxType.count({ where: where }),
  toJson: (row) => boxTypeToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateBoxType, raw);
    const id = newId();
    await ctx.db.boxType
      .create({ data: { ...boxTypeData(body), id, code: body.code } })
      .catch((err: unknown) => mapWriteError(err, 'box type', id, 'code'));
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateBoxType, raw);
    await ctx.db.boxType
      .update({ where: { id }, data: boxTypeData(body) })
      .catch((err: unknown) => mapWriteError(err, 'box type', id, 'code'));
  },
  async remove(ctx, id) {
    await ctx.db.boxType
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'box type', id));
  },
});
