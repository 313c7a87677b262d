import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import { haversineMeters } from '../../../viability/index.js';
import { BASE_FIELDS } from '../query/fields.js';
import { spanToJson } from '../mappers/poles.js';
import { idRef, mapWriteError, parseBody, text } from '../validation.js';
import { defineResource } from './resource.js';

/** No span longer than this: a longer one is surely a unit mistake (km for m). */
export const MAX_SPAN_LENGTH = 5000;
/** A given length may be this much shorter than the straight line (pole positions are approximate). */
export const POSITION_TOLERANCE = 20;

const SpanFields = {
  poles: z
    .tuple([idRef, idRef], { error: 'must be the two pole ids the span joins' })
    .refine(([a, b]) => a !== b, 'must be two different poles'),
  length: z
    .number({ error: 'must be a number of metres' })
    .min(0, 'must be at least 0')
    .max(MAX_SPAN_LENGTH, `must be at most ${MAX_SPAN_LENGTH} metres`)
    .nullable(),
  cable: text.max(200).nullable(),
  name: text.max(200).nullable(),
  project: idRef,
  external_id: text.max(200).nullable(),
};
const CreateSpan = z.object(SpanFields).partial().required({ poles: true });
const UpdateSpan = z.object(SpanFields).partial();

const include = {
  poleA: { select: { lat: true, lng: true } },
  poleB: { select: { lat: true, lng: true } },
} as const;

/** The two poles (they must exist), and a given length no shorter than the line between them. */
async function checkPoles(db: Db, poles: [string, string], length: number | null | undefined) {
  const found = await db.pole.findMany({
    where: { id: { in: poles } },
    select: { id: true, lat: true, lng: true, projectId: true },
  });
  const [a, b] = poles.map((id) => found.find((p) => p.id === id));
  if (!a || !b) {
    const missing = poles.find((id) => !found.some((p) => p.id === id));
    throw new ValidationError(`poles: pole ${missing} not found`, 'poles');
  }
  if (length !== null && length !== undefined) {
    const straight = haversineMeters(a.lat, a.lng, b.lat, b.lng);
    if (length + POSITION_TOLERANCE < straight) {
      throw new ValidationError(
        `length: ${length} m is shorter than the ${straight.toFixed(1)} m between the poles`,
        'length',
      );
    }
  }
  return a;
}

/**
 * `spans`: the cable spans between poles that pole-mode viability routes drops along. Not an
 * OZmap resource (OZmap derives them from cables); shaped like one. `length` null (or absent) =
 * the great circle between the poles, following them when they move.
 */
export const spans = defineResource({
  route: 'spans',
  label: 'span',
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string', nullable: true },
    project: { type: 'id', column: 'projectId' },
    poleA: { type: 'id', column: 'poleAId' },
    poleB: { type: 'id', column: 'poleBId' },
    length: { type: 'number', nullable: true },
    cable: { type: 'string', nullable: true },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.span.findMany({ where: where, orderBy, skip, take, include }),
  count: (db, where) => db.span.count({ where: where }),
  toJson: (row) => spanToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateSpan, raw);
    const from = await checkPoles(ctx.db, body.poles, body.length);
    if (body.project && !(await ctx.db.project.findUnique({ where: { id: body.project } }))) {
      throw new ValidationError(`project: project ${body.project} not found`, 'project');
    }
    const id = newId();
    await ctx.db.span
      .create({
        data: {
          id,
          projectId: body.project ?? from.projectId,
          poleAId: body.poles[0],
          poleBId: body.poles[1],
          length: body.length ?? null,
          cable: body.cable ?? null,
          name: body.name ?? null,
          externalId: body.external_id ?? null,
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'span', id, 'external_id'));
    await ctx.network.polesChanged(body.poles);
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateSpan, raw);
    const current = await ctx.db.span.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('span', id);
    const poles = body.poles ?? [current.poleAId, current.poleBId];
    await checkPoles(ctx.db, poles, body.length === undefined ? current.length : body.length);
    await ctx.db.span
      .update({
        where: { id },
        data: {
          poleAId: poles[0],
          poleBId: poles[1],
          length: body.length,
          cable: body.cable,
          name: body.name,
          projectId: body.project,
          externalId: body.external_id,
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'span', id, 'external_id'));
    await ctx.network.polesChanged([current.poleAId, current.poleBId, ...poles]);
  },
  async remove(ctx, id) {
    const current = await ctx.db.span.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('span', id);
    await ctx.db.span
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'span', id));
    await ctx.network.polesChanged([current.poleAId, current.poleBId]);
  },
});
