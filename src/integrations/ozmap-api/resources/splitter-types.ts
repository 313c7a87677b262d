import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import { BASE_FIELDS } from '../query/fields.js';
import { splitterTypeToJson } from '../mappers/catalogue.js';
import {
  int32,
  longText,
  MAX_LIST_ITEMS,
  mapWriteError,
  measure,
  parseBody,
  text,
} from '../validation.js';
import { defineResource } from './resource.js';

const connectionType = z.union([z.literal(0), z.literal(1)], {
  error: 'must be 0 (fusion) or 1 (connector)',
});
const SplitterTypeFields = {
  code: text.min(1, 'must not be empty'),
  isDrop: z.boolean(),
  ratio: z.object({
    input: int32.min(1, 'must be 1 or more').max(256, 'must be at most 256'),
    output: int32.min(2, 'must be 2 or more').max(256, 'must be at most 256'),
  }),
  isBalanced: z.boolean(),
  prefix: text,
  size: int32.min(0, 'must be 0 or more'),
  inputConnectionType: connectionType,
  outputConnectionType: connectionType,
  attenuation: z.array(measure).max(MAX_LIST_ITEMS),
  brand: text.nullable(),
  mold: text.nullable(),
  description: longText.nullable(),
};
const CreateSplitterType = z
  .object(SplitterTypeFields)
  .partial()
  .required({ code: true, ratio: true });
const UpdateSplitterType = z.object(SplitterTypeFields).omit({ ratio: true }).partial();

function splitterTypeData(body: z.infer<typeof UpdateSplitterType>) {
  return {
    code: body.code,
    isDrop: body.isDrop,
    isBalanced: body.isBalanced,
    prefix: body.prefix,
    size: body.size,
    inputConnectionType: body.inputConnectionType,
    outputConnectionType: body.outputConnectionType,
    attenuationJson: body.attenuation && JSON.stringify(body.attenuation),
    brand: body.brand,
    mold: body.mold,
    description: body.description,
  };
}

export const splitterTypes = defineResource({
  route: 'splitter-types',
  label: 'splitter type',
  schemas: { create: CreateSplitterType, update: UpdateSplitterType },
  fields: {
    ...BASE_FIELDS,
    code: { type: 'string' },
    isDrop: { type: 'boolean' },
    'ratio.input': { type: 'number', column: 'ratioIn', integer: true },
    'ratio.output': { type: 'number', column: 'ratioOut', integer: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.splitterType.findMany({
      where: where,
      orderBy,
      skip,
      take,
    }),
  count: (db, where) => db.splitterType.count({ where: where }),
  toJson: (row) => splitterTypeToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateSplitterType, raw);
    const id = newId();
    await ctx.db.splitterType
      .create({
        data: {
          ...splitterTypeData(body),
          id,
          code: body.code,
          ratioIn: body.ratio.input,
          ratioOut: body.ratio.output,
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'splitter type', id, 'code'));
    return id;
  },
  async update(ctx, id, raw) {
    if (raw && typeof raw === 'object' && 'ratio' in raw) {
      throw new ValidationError(
        'ratio: a splitter type ratio cannot change once created; create a new type',
        'ratio',
      );
    }
    const body = parseBody(UpdateSplitterType, raw);
    await ctx.db.splitterType
      .update({ where: { id }, data: splitterTypeData(body) })
      .catch((err: unknown) => mapWriteError(err, 'splitter type', id, 'code'));
  },
  async remove(ctx, id) {
    await ctx.db.splitterType
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'splitter type', id));
  },
});
