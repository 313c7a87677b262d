import { z } from 'zod';
import { resolveTags } from '../../../services/prospects.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { prospectToJson } from '../mappers/customers.js';
import {
  idList,
  longText,
  mapWriteError,
  parseBody,
  pointInput,
  pointOf,
  requireIds,
  text,
} from '../validation.js';
import { defineResource } from './resource.js';

const ProspectBody = z
  .object({
    name: text.nullable(),
    code: text.nullable(),
    phone: text.max(32).nullable(),
    email: z.email().max(254).nullable(),
    address: longText.nullable(),
    observation: longText.nullable(),
    viable: z.boolean().nullable(),
    tags: idList,
    external_id: text.nullable(),
    ...pointInput,
  })
  .partial()
  // The SDK sends `coords: null` for a prospect without a position.
  .extend({ coords: pointInput.coords.nullable() });

type ProspectInput = z.infer<typeof ProspectBody>;

function prospectData(body: ProspectInput) {
  const point = body.coords === null ? null : pointOf({ ...body, coords: body.coords });
  return {
    name: body.name,
    code: body.code,
    phone: body.phone,
    email: body.email,
    address: body.address,
    observation: body.observation,
    viable: body.viable,
    externalId: body.external_id,
    lat: point === null ? null : point?.lat,
    lng: point === null ? null : point?.lng,
  };
}

const checkTags = (db: Db, tags: string[] | undefined) =>
  requireIds((ids) => db.tag.findMany({ where: { id: { in: ids } } }), tags ?? [], 'tags', 'tag');

export const prospects = defineResource({
  route: 'prospects',
  label: 'prospect',
  schemas: { create: ProspectBody, update: ProspectBody },
  writeAction: 'write',
  personalData: true,
  ownedBy: (owner) => ({ source: owner }),
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    code: { type: 'string', nullable: true },
    phone: { type: 'string', nullable: true },
    address: { type: 'string', nullable: true },
    viable: { type: 'boolean', nullable: true },
    coords: { type: 'point', lat: 'lat', lng: 'lng' },
    tags: { type: 'idList' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
    source: { type: 'string', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.prospect.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: { tags: { select: { id: true } } },
    }),
  count: (db, where) => db.prospect.count({ where: where }),
  toJson: (row) => prospectToJson(row),
  async create(ctx, raw, principal) {
    const body = parseBody(ProspectBody, raw);
    await checkTags(ctx.db, body.tags);
    // The caller's profile may add its own tags (e.g. 5Hub's "chatbot" tag on every lead).
    const profile = await ctx.integrations.profile(principal?.integration ?? 'generic');
    const tags = new Set([
      ...(body.tags ?? []),
      ...(await resolveTags(ctx.db, profile.prospectTags)),
    ]);
    const id = newId();
    await ctx.db.prospect
      .create({
        data: {
          ...prospectData(body),
          id,
          source: principal?.integration,
          tags: { connect: [...tags].map((t) => ({ id: t })) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'prospect', id, 'external_id'));
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(ProspectBody, raw);
    await checkTags(ctx.db, body.tags);
    await ctx.db.prospect
      .update({
        where: { id },
        data: {
          ...prospectData(body),
          tags: body.tags && { set: body.tags.map((t) => ({ id: t })) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'prospect', id, 'external_id'));
  },
  async remove(ctx, id) {
    await ctx.db.prospect
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'prospect', id));
  },
});
