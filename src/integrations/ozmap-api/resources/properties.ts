import type { Prisma } from '../../../generated/sqlite/client.js';
import { BASE_FIELDS } from '../query/fields.js';
import { ftthClientToJson, propertyToJson } from '../mappers/customers.js';
import { boxToJson } from '../mappers/network.js';
import { defineResource } from './resource.js';
import { PropertyBody } from './property-input.js';
import { clientOwnedBy } from './ftth-clients.js';
import { createProperty, deleteProperty, updateProperty } from './property-writes.js';

/** A property with its client and box (each with its tags), as `populate` shows them. */
export const propertyInclude = {
  tags: { select: { id: true } },
  splitter: { select: { id: true, name: true, implanted: true } },
  client: { include: { tags: { select: { id: true } } } },
  box: { include: { tags: { select: { id: true } } } },
} as const;

const plainInclude = { tags: propertyInclude.tags, splitter: propertyInclude.splitter } as const;

/** A property as `findMany` reads it without `populate` (client and box not read). */
export type PropertyReadRow = Prisma.PropertyGetPayload<{ include: typeof plainInclude }> & {
  client: null;
  box: null;
};

export const properties = defineResource({
  route: 'properties',
  label: 'property',
  schemas: { create: PropertyBody, update: PropertyBody },
  writeAction: 'write',
  personalData: true,
  // The premises of a client the integration made.
  ownedBy: (owner) => ({ client: { is: clientOwnedBy(owner) } }),
  populatable: ['client', 'box'],
  fields: {
    ...BASE_FIELDS,
    project: { type: 'id', column: 'projectId' },
    box: { type: 'id', column: 'boxId', nullable: true },
    client: { type: 'id', column: 'clientId', nullable: true },
    pole: { type: 'id', column: 'poleId', nullable: true },
    connector: { type: 'id', column: 'splitterId', nullable: true },
    'connections.id': { type: 'id', column: 'splitterId', nullable: true },
    port: { type: 'number', nullable: true, integer: true },
    coords: { type: 'point', lat: 'lat', lng: 'lng' },
    address: { type: 'string', nullable: true },
    observation: { type: 'string', nullable: true },
    potencyRead: { type: 'number', nullable: true },
    tags: { type: 'idList' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
  },
  // Client and box are read only when shown: two queries each that a plain read (the answer to
  // every reservation) does not need.
  findMany: async (db, { where, orderBy, skip, take, populate }) => {
    if (populate.has('client') || populate.has('box')) {
      return db.property.findMany({ where, orderBy, skip, take, include: propertyInclude });
    }
    const rows = await db.property.findMany({ where, orderBy, skip, take, include: plainInclude });
    return rows.map((row) => ({ ...row, client: null, box: null }));
  },
  count: (db, where) => db.property.count({ where: where }),
  toJson: (row, populate) =>
    propertyToJson(row, {
      client: populate.has('client') ? row.client && ftthClientToJson(row.client) : undefined,
      box: populate.has('box') && row.box ? boxToJson(row.box) : undefined,
    }),
  create: (ctx, body, principal) => createProperty(ctx, body, principal),
  update: (ctx, id, body) => updateProperty(ctx, id, body),
  remove: (ctx, id) => deleteProperty(ctx, id),
});
