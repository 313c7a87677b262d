import { z } from 'zod';
import { newId } from '../../../ids.js';
import { BASE_FIELDS } from '../query/fields.js';
import { projectToJson } from '../mappers/catalogue.js';
import { mapWriteError, measure, parseBody, text } from '../validation.js';
import { defineResource } from './resource.js';
import { checkPolygon, polygonInput } from './geometry.js';

const ProjectFields = {
  name: text.min(1, 'must not be empty'),
  identifier: text.nullable(),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  defaultPonPotency: measure,
  drop: z.object({ maxSize: measure.min(0).nullable().optional() }),
  area: polygonInput.nullable(),
  external_id: text.nullable(),
};
const CreateProject = z.object(ProjectFields).partial().required({ name: true });
const UpdateProject = z.object(ProjectFields).partial();

function projectData(body: z.infer<typeof UpdateProject>) {
  return {
    name: body.name,
    identifier: body.identifier,
    lat: body.lat,
    lng: body.lng,
    defaultPonPotency: body.defaultPonPotency,
    dropMaxSize: body.drop?.maxSize,
    areaJson: body.area === null ? null : body.area && checkPolygon(body.area, 'area'),
    externalId: body.external_id,
  };
}

export const projects = defineResource({
  route: 'projects',
  label: 'project',
  schemas: { create: CreateProject, update: UpdateProject },
  fields: {
    ...BASE_FIELDS,
    name: { type: 'string' },
    identifier: { type: 'string', nullable: true },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.project.findMany({ where: where, orderBy, skip, take }),
  count: (db, where) => db.project.count({ where: where }),
  toJson: (row) => projectToJson(row),
  async create(ctx, raw) {
    const body = parseBody(CreateProject, raw);
    const id = newId();
    await ctx.db.project
      .create({ data: { ...projectData(body), id, name: body.name } })
      .catch((err: unknown) => mapWriteError(err, 'project', id, 'external_id'));
    return id;
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateProject, raw);
    const before = await ctx.db.project.findUnique({
      where: { id },
      select: { dropMaxSize: true },
    });
    await ctx.db.project
      .update({ where: { id }, data: projectData(body) })
      .catch((err: unknown) => mapWriteError(err, 'project', id, 'external_id'));
    // The maximum drop size bounds pole-mode routes for every box of the project.
    if (body.drop?.maxSize !== undefined && body.drop.maxSize !== before?.dropMaxSize) {
      await ctx.network.polesChanged('all');
    }
  },
  async remove(ctx, id) {
    await ctx.db.project
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'project', id));
  },
});
