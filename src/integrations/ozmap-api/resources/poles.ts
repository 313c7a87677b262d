import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { poleToJson } from '../mappers/poles.js';
import { idRef, mapWriteError, parseBody, pointInput, pointOf, text } from '../validation.js';
import { defineResource } from './resource.js';

const PoleFields = {
  name: text.max(200),
  project: idRef,
  observation: text.max(2000).nullable(),
  external_id: text.max(200).nullable(),
  ...pointInput,
};
// OZmap's SDK also sends poleType, usable, licensing, tags, adjacents: accepted and ignored
// (adjacents are the spans: see /spans).
const CreatePole = z.object(PoleFields).partial().required({ project: true });
const UpdatePole = z.object(PoleFields).omit({ project: true }).partial();

const include = {
  spansFrom: { select: { poleBId: true } },
  spansTo: { select: { poleAId: true } },
} as const;

/** The poles a pole's spans touch (so their side of the graph is reloaded with it). */
async function neighbours(db: Db, id: string): Promise<string[]> {
  const spans = await db.span.findMany({
    where: { OR: [{ poleAId: id }, { poleBId: id }] },
    select: { poleAId: true, poleBId: true },
  });
  return spans.flatMap((s) => [s.poleAId, s.poleBId]);
}

/** `poles`: OZmap's resource; `adjacents` (read-only) are the poles the pole's spans lead to. */
export const poles = defineResource({
  route: 'poles',
  label: 'pole',
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    project: { type: 'id', column: 'projectId' },
    coords: { type: 'point', lat: 'lat', lng: 'lng' },
    lat: { type: 'number' },
    lng: { type: 'number' },
    observation: { type: 'string', nullable: true },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.pole.findMany({ where: where, orderBy, skip, take, include }),
  count: (db, where) => db.pole.count({ where: where }),
  toJson: (row) => poleToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreatePole, raw);
    const point = pointOf(body);
    if (!point) {
      throw new ValidationError('coords: is required ([lng, lat], or lat and lng)', 'coords');
    }
    const project = await ctx.db.project.findUnique({ where: { id: body.project } });
    if (!project) {
      throw new ValidationError(`project: project ${body.project} not found`, 'project');
    }
    const id = newId();
    await ctx.db.pole
      .create({
        data: {
          id,
          projectId: project.id,
          name: body.name ?? null,
          observation: body.observation ?? null,
          externalId: body.external_id ?? null,
          lat: point.lat,
          lng: point.lng,
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'pole', id, 'external_id'));
    await ctx.network.polesChanged([id]);
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdatePole, raw);
    const point = pointOf(body);
    await ctx.db.pole
      .update({
        where: { id },
        data: {
          name: body.name,
          observation: body.observation,
          externalId: body.external_id,
          lat: point?.lat,
          lng: point?.lng,
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'pole', id, 'external_id'));
    // A moved pole lengthens or shortens its spans that follow it (no length given).
    await ctx.network.polesChanged([id]);
  },
  async remove(ctx, id) {
    // Its spans go with it (cascade); boxes and properties on it keep standing, on no pole.
    const around = await neighbours(ctx.db, id);
    await ctx.db.pole
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'pole', id));
    await ctx.network.polesChanged([id, ...around]);
  },
});
