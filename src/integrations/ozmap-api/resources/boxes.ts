import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { boxToJson } from '../mappers/network.js';
import { boxTypeToJson } from '../mappers/catalogue.js';
import {
  idList,
  idRef,
  int32,
  longText,
  mapWriteError,
  parseBody,
  pointInput,
  pointOf,
  requireIds,
  text,
} from '../validation.js';
import { defineResource } from './resource.js';

const BoxFields = {
  name: text,
  project: idRef,
  boxType: idRef.nullable(),
  hierarchyLevel: int32.min(0, 'must be 0 or more'),
  implanted: z.boolean(),
  draft: z.boolean(),
  shared: z.boolean(),
  certified: z.boolean(),
  default_reserve: int32.min(0, 'must be 0 or more'),
  pole: idRef.nullable(),
  tags: idList,
  address: longText.nullable(),
  observation: longText.nullable(),
  color: text.nullable(),
  fill_color: text.nullable(),
  external_id: text.nullable(),
  ...pointInput,
};
const CreateBox = z.object(BoxFields).partial().required({ project: true });
const UpdateBox = z.object(BoxFields).omit({ project: true }).partial();

const include = (populate: ReadonlySet<string>) =>
  ({ tags: { select: { id: true } }, boxType: populate.has('boxType') }) as const;

async function checkReferences(db: Db, body: z.infer<typeof UpdateBox>): Promise<void> {
  if (body.boxType) {
    await requireIds(
      (id) => db.boxType.findMany({ where: { id: { in: id } } }),
      [body.boxType],
      'boxType',
      'box type',
    );
  }
  if (body.pole) {
    await requireIds(
      (id) => db.pole.findMany({ where: { id: { in: id } } }),
      [body.pole],
      'pole',
      'pole',
    );
  }
  await requireIds(
    (id) => db.tag.findMany({ where: { id: { in: id } } }),
    body.tags ?? [],
    'tags',
    'tag',
  );
}

function boxData(body: z.infer<typeof UpdateBox>) {
  const point = pointOf(body);
  return {
    name: body.name,
    boxTypeId: body.boxType,
    hierarchyLevel: body.hierarchyLevel,
    implanted: body.implanted,
    draft: body.draft,
    shared: body.shared,
    certified: body.certified,
    defaultReserve: body.default_reserve,
    poleId: body.pole,
    address: body.address,
    observation: body.observation,
    color: body.color,
    fillColor: body.fill_color,
    externalId: body.external_id,
    lat: point?.lat,
    lng: point?.lng,
  };
}

export const boxes = defineResource({
  route: 'boxes',
  label: 'box',
  schemas: { create: CreateBox, update: UpdateBox },
  populatable: ['boxType'],
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    project: { type: 'id', column: 'projectId' },
    boxType: { type: 'id', column: 'boxTypeId', nullable: true },
    pole: { type: 'id', column: 'poleId', nullable: true },
    coords: { type: 'point', lat: 'lat', lng: 'lng' },
    lat: { type: 'number' },
    lng: { type: 'number' },
    hierarchyLevel: { type: 'number', integer: true },
    implanted: { type: 'boolean' },
    draft: { type: 'boolean' },
    shared: { type: 'boolean' },
    certified: { type: 'boolean' },
    address: { type: 'string', nullable: true },
    observation: { type: 'string', nullable: true },
    tags: { type: 'idList' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take, populate }) =>
    db.box.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: include(populate),
    }),
  count: (db, where) => db.box.count({ where: where }),
  toJson: (row) => boxToJson(row, row.boxType ? boxTypeToJson(row.boxType) : undefined),
  async create(ctx, raw) {
    const body = parseBody(CreateBox, raw);
    const point = pointOf(body);
    if (!point)
      throw new ValidationError('coords: is required ([lng, lat], or lat and lng)', 'coords');
    const project = await ctx.db.project.findUnique({ where: { id: body.project } });
    if (!project)
      throw new ValidationError(`project: project ${body.project} not found`, 'project');
    await checkReferences(ctx.db, body);
    const boxType = body.boxType
      ? await ctx.db.boxType.findUnique({ where: { id: body.boxType } })
      : null;
    const id = newId();
    // OZmap puts every box on a pole; like it, we create one at the box's position when none is given.
    const poleId = body.pole ?? newId();
    await ctx.db
      .$transaction(async (tx) => {
        if (!body.pole) {
          await tx.pole.create({
            data: { id: poleId, projectId: project.id, lat: point.lat, lng: point.lng },
          });
        }
        await tx.box.create({
          data: {
            ...boxData(body),
            id,
            projectId: project.id,
            lat: point.lat,
            lng: point.lng,
            poleId,
            hierarchyLevel: body.hierarchyLevel ?? boxType?.defaultLevel ?? 0,
            defaultReserve: body.default_reserve ?? boxType?.defaultReserve ?? 0,
            tags: { connect: (body.tags ?? []).map((t) => ({ id: t })) },
          },
        });
      })
      .catch((err: unknown) => mapWriteError(err, 'box', id, 'external_id'));
    await ctx.network.boxesChanged([id]);
    await ctx.network.polesChanged([poleId]);
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateBox, raw);
    await checkReferences(ctx.db, body);
    const before = await ctx.db.box.findUnique({ where: { id }, select: { poleId: true } });
    await ctx.db.box
      .update({
        where: { id },
        data: { ...boxData(body), tags: body.tags && { set: body.tags.map((t) => ({ id: t })) } },
      })
      .catch((err: unknown) => mapWriteError(err, 'box', id, 'external_id'));
    await ctx.network.boxesChanged([id]);
    if (body.pole !== undefined && body.pole !== before?.poleId) {
      await ctx.network.polesChanged([before?.poleId, body.pole].filter((p) => p != null));
    }
  },
  async remove(ctx, id) {
    const box = await ctx.db.box.findUnique({
      where: { id },
      select: { poleId: true, _count: { select: { properties: true } } },
    });
    if (!box) throw new NotFoundError('box', id);
    const connected = await ctx.db.property.count({ where: { splitter: { boxId: id } } });
    if (box._count.properties > 0 || connected > 0) {
      throw new ConflictError(
        `box ${id} still serves ${Math.max(box._count.properties, connected)} properties; delete or move them first`,
        'id',
      );
    }
    await ctx.db.box
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'box', id));
    await ctx.network.boxesChanged([id]);
    if (box.poleId) await ctx.network.polesChanged([box.poleId]);
  },
});
