import { z } from 'zod';
import { newId } from '../../../ids.js';
import type { Prisma } from '../../../generated/sqlite/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { tagToJson } from '../mappers/catalogue.js';
import { mapWriteError, parseBody, text } from '../validation.js';
import { defineResource } from './resource.js';

export const TAG_ALLOWED_TYPES = [
  'cable',
  'box',
  'pop',
  'tower',
  'property',
  'client',
  'building',
  'pole',
  'prospect',
  'post',
  'region',
  'horizontalCondominium',
  'pendency',
  'antenna',
  'sector',
  'battery',
  'radio',
  'shelf',
  'junctionBox',
  'duct',
  'splitter.ports',
] as const;

const TagFields = {
  name: text.min(1, 'must not be empty'),
  allowedTypes: z.array(z.enum(TAG_ALLOWED_TYPES)).max(TAG_ALLOWED_TYPES.length),
  color: text.nullable(),
};
const CreateTag = z.object(TagFields).partial({ allowedTypes: true, color: true });
const UpdateTag = z.object(TagFields).partial();

function tagData(body: z.infer<typeof UpdateTag>): Prisma.TagUpdateInput {
  return {
    name: body.name,
    color: body.color,
    allowedTypesJson: body.allowedTypes && JSON.stringify(body.allowedTypes),
  };
}

export const tags = defineResource({
  route: 'tags',
  label: 'tag',
  schemas: { create: CreateTag, update: UpdateTag },
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string' },
    color: { type: 'string', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.tag.findMany({ where: where, orderBy, skip, take }),
  count: (db, where) => db.tag.count({ where: where }),
  toJson: (row) => tagToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateTag, raw);
    const id = newId();
    await ctx.db.tag
      .create({
        data: {
          id,
          name: body.name,
          color: body.color,
          allowedTypesJson: JSON.stringify(body.allowedTypes ?? []),
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'tag', id, 'name'));
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateTag, raw);
    await ctx.db.tag
      .update({ where: { id }, data: tagData(body) })
      .catch((err: unknown) => mapWriteError(err, 'tag', id, 'name'));
    if (body.name !== undefined || body.allowedTypes !== undefined)
      await ctx.network.regionsChanged();
  },
  async remove(ctx, id) {
    await ctx.db.tag
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'tag', id));
    await ctx.network.regionsChanged();
  },
});
