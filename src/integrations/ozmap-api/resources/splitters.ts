import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import { BASE_FIELDS } from '../query/fields.js';
import { splitterToJson } from '../mappers/network.js';
import { splitterTypeToJson } from '../mappers/catalogue.js';
import {
  idList,
  idRef,
  int32,
  longText,
  MAX_LIST_ITEMS,
  mapWriteError,
  measure,
  parseBody,
  text,
} from '../validation.js';
import { defineResource } from './resource.js';

const PortInput = z.object({
  index: int32.min(1, 'must be 1 or more'),
  blocked: z.boolean().optional(),
  tags: idList.optional(),
  observation: longText.nullable().optional(),
});
const SplitterFields = {
  name: text,
  parent: idRef,
  splitterType: idRef,
  implanted: z.boolean(),
  isDrop: z.boolean(),
  orientation: text,
  label: text,
  attenuation: z.array(measure).max(MAX_LIST_ITEMS),
  observation: longText.nullable(),
  ports: z.array(PortInput).max(MAX_LIST_ITEMS),
  external_id: text.nullable(),
};
const CreateSplitter = z
  .object(SplitterFields)
  .partial()
  .required({ parent: true, splitterType: true });
const UpdateSplitter = z.object(SplitterFields).omit({ splitterType: true }).partial();

type PortInput = z.infer<typeof PortInput>;

function checkPortIndexes(ports: PortInput[], ratioOut: number): void {
  for (const p of ports) {
    if (p.index > ratioOut) {
      throw new ValidationError(
        `ports: port ${p.index} is beyond the splitter's ${ratioOut} output ports`,
        'ports',
      );
    }
  }
}

function portData(p: PortInput) {
  return {
    blocked: p.blocked,
    tagsJson: p.tags && JSON.stringify(p.tags),
    observation: p.observation,
  };
}

function scalarData(body: z.infer<typeof UpdateSplitter>) {
  return {
    name: body.name,
    implanted: body.implanted,
    isDrop: body.isDrop,
    orientation: body.orientation,
    label: body.label,
    attenuationJson: body.attenuation && JSON.stringify(body.attenuation),
    observation: body.observation,
    externalId: body.external_id,
  };
}

const include = (populate: ReadonlySet<string>) =>
  ({
    ports: true,
    properties: { where: { port: { not: null } }, select: { id: true, port: true } },
    splitterType: populate.has('splitterType'),
  }) as const;

export const splitters = defineResource({
  route: 'splitters',
  label: 'splitter',
  schemas: { create: CreateSplitter, update: UpdateSplitter },
  populatable: ['splitterType'],
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    parent: { type: 'id', column: 'boxId' },
    box: { type: 'id', column: 'boxId' },
    project: { type: 'id', column: 'projectId' },
    splitterType: { type: 'id', column: 'splitterTypeId' },
    implanted: { type: 'boolean' },
    isDrop: { type: 'boolean' },
    'ratio.output': { type: 'number', column: 'ratioOut', integer: true },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take, populate }) =>
    db.splitter.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: include(populate),
    }),
  count: (db, where) => db.splitter.count({ where: where }),
  toJson: (row) =>
    splitterToJson(row, row.splitterType ? splitterTypeToJson(row.splitterType) : undefined),
  async create(ctx, raw) {
    const body = parseBody(CreateSplitter, raw);
    const box = await ctx.db.box.findUnique({ where: { id: body.parent } });
    if (!box) throw new ValidationError(`parent: box ${body.parent} not found`, 'parent');
    const type = await ctx.db.splitterType.findUnique({ where: { id: body.splitterType } });
    if (!type) {
      throw new ValidationError(
        `splitterType: splitter type ${body.splitterType} not found`,
        'splitterType',
      );
    }
    const given = new Map((body.ports ?? []).map((p) => [p.index, p]));
    checkPortIndexes([...given.values()], type.ratioOut);
    const id = newId();
    await ctx.db.splitter
      .create({
        data: {
          ...scalarData(body),
          id,
          name: body.name ?? `${type.prefix}${type.ratioIn}:${type.ratioOut}`,
          boxId: box.id,
          projectId: box.projectId,
          splitterTypeId: type.id,
          isDrop: body.isDrop ?? type.isDrop,
          isBalanced: type.isBalanced,
          ratioIn: type.ratioIn,
          ratioOut: type.ratioOut,
          attenuationJson: JSON.stringify(body.attenuation ?? JSON.parse(type.attenuationJson)),
          // only the ports given something of their own get a row
          ports: { create: [...given.values()].map((p) => ({ index: p.index, ...portData(p) })) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'splitter', id, 'external_id'));
    await ctx.network.boxesChanged([box.id]);
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateSplitter, raw);
    const current = await ctx.db.splitter.findUnique({
      where: { id },
      select: { boxId: true, ratioOut: true, _count: { select: { properties: true } } },
    });
    if (!current) throw new NotFoundError('splitter', id);
    let projectId: string | undefined;
    if (body.parent && body.parent !== current.boxId) {
      const box = await ctx.db.box.findUnique({ where: { id: body.parent } });
      if (!box) throw new ValidationError(`parent: box ${body.parent} not found`, 'parent');
      if (current._count.properties > 0) {
        throw new ConflictError(
          `parent: splitter ${id} has connected properties and cannot move`,
          'parent',
        );
      }
      projectId = box.projectId;
    }
    checkPortIndexes(body.ports ?? [], current.ratioOut);
    await ctx.db
      .$transaction(async (tx) => {
        await tx.splitter.update({
          where: { id },
          data: { ...scalarData(body), boxId: body.parent, projectId },
        });
        for (const p of body.ports ?? []) {
          await tx.splitterPort.upsert({
            where: { splitterId_index: { splitterId: id, index: p.index } },
            create: { splitterId: id, index: p.index, ...portData(p) },
            update: portData(p),
          });
        }
      })
      .catch((err: unknown) => mapWriteError(err, 'splitter', id, 'external_id'));
    await ctx.network.boxesChanged(new Set([current.boxId, body.parent ?? current.boxId]));
  },
  async remove(ctx, id) {
    const splitter = await ctx.db.splitter.findUnique({
      where: { id },
      select: {
        boxId: true,
        properties: { where: { port: { not: null } }, select: { port: true } },
      },
    });
    if (!splitter) throw new NotFoundError('splitter', id);
    if (splitter.properties.length > 0) {
      const held = splitter.properties.map((p) => p.port).join(', ');
      throw new ConflictError(
        `splitter ${id} still has properties on ports ${held}; disconnect them first`,
        'id',
      );
    }
    await ctx.db.splitter
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'splitter', id));
    await ctx.network.boxesChanged([splitter.boxId]);
  },
});
